import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { freePort } from '@accelerboat/testing';
import { startStack, type Stack } from './support/stack.js';
import { startUpstream, type Upstream } from './support/upstreams.js';

const NAME = 'registry.mirror.test';

/** One HTTPS GET with SNI and Host set to `host`, trusting only `ca`. */
function httpsGet(port: number, host: string, path: string, ca: Buffer, accept?: string): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, servername: host, ca, headers: { host: `${host}:${port}`, ...(accept ? { accept } : {}) } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('custom-domain mode', () => {
  let upstream: Upstream;
  let stack: Stack;
  let tlsPort: number;
  let ca: Buffer;

  before(async () => {
    upstream = await startUpstream({ anonymousPull: true, layers: [256 * 1024] });
    const dir = join('/tmp', `ab-e2e-tls-${process.pid}`);
    execFileSync('mkdir', ['-p', dir]);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', `/CN=${NAME}`, '-addext', `subjectAltName=DNS:${NAME}`], { stdio: 'ignore' });
    ca = readFileSync(join(dir, 'cert.pem'));
    const registries = join(dir, 'registries.json');
    writeFileSync(registries, JSON.stringify({ registries: [{ originalHost: upstream.registry.host, scheme: 'http', proxyHost: NAME, tlsCertFile: join(dir, 'cert.pem'), tlsKeyFile: join(dir, 'key.pem') }] }));
    tlsPort = await freePort();
    stack = await startStack({ env: { REGISTRIES_FILE: registries, TLS_PORT: String(tlsPort) } });
  });
  after(async () => {
    await stack?.stop();
    await upstream?.registry.stop();
  });

  it('serves the mapped registry over HTTPS with the mapping certificate, chosen by SNI', async () => {
    const res = await httpsGet(tlsPort, NAME, `/v2/${upstream.repository}/manifests/${upstream.tag}`, ca, 'application/vnd.oci.image.manifest.v1+json');
    assert.equal(res.status, 200);
    assert.equal(res.headers['docker-content-digest'], upstream.digest);
    assert.equal(`sha256:${createHash('sha256').update(res.body).digest('hex')}`, upstream.digest);
    const layer = upstream.image.layers[0]!;
    const blob = await httpsGet(tlsPort, NAME, `/v2/${upstream.repository}/blobs/${layer.digest}`, ca);
    assert.equal(blob.status, 200);
    assert.equal(`sha256:${createHash('sha256').update(blob.body).digest('hex')}`, layer.digest);
  });

  it('a verifying client refuses a name the mapping certificates do not cover', async () => {
    const res = await httpsGet(tlsPort, 'other.mirror.test', `/v2/${upstream.repository}/manifests/${upstream.tag}`, ca).catch((e: Error) => ({ status: -1, body: Buffer.from(e.message), headers: {} }));
    // The certificate does not name other.mirror.test, so a verifying client refuses the handshake.
    assert.equal(res.status, -1, res.body.toString());
  });
});
