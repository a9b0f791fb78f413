import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type Stack } from './support/stack.js';
import { writeRegistriesFile } from './support/upstreams.js';

/** A registry that serves, for one digest, bytes that do not hash to it (same length). */
function lyingRegistry(digest: string, size: number): Server {
  return createServer((req, res) => {
    if (req.url === '/v2/' || req.url === '/v2') return void res.writeHead(200, { 'docker-distribution-api-version': 'registry/2.0' }).end('{}');
    if (req.url === `/v2/evil/blob/blobs/${digest}`) {
      res.writeHead(200, { 'content-length': size, 'docker-content-digest': digest, 'content-type': 'application/octet-stream' });
      return void res.end(req.method === 'HEAD' ? undefined : randomBytes(size));
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"BLOB_UNKNOWN","message":"unknown"}]}');
  });
}

/** A GET with the path sent byte for byte (fetch would normalise `..` away before sending). */
function raw(base: string, path: string): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** GET that reports whether the body ended cleanly or the connection was cut. */
function outcome(url: string): Promise<{ status: number; ended: 'clean' | 'aborted'; bytes: number }> {
  return new Promise((resolve) => {
    let status = 0;
    let bytes = 0;
    const req = request(url, (res) => {
      status = res.statusCode ?? 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status, ended: res.complete ? 'clean' : 'aborted', bytes }));
      res.on('aborted', () => resolve({ status, ended: 'aborted', bytes }));
      res.on('error', () => resolve({ status, ended: 'aborted', bytes }));
    });
    req.on('error', () => resolve({ status, ended: 'aborted', bytes }));
    req.end();
  });
}

describe('bad bytes and hostile requests at the edge-proxy', () => {
  const size = 300_000;
  const digest = `sha256:${createHash('sha256').update(randomBytes(32)).digest('hex')}`;
  let upstream: Server;
  let upstreamHost: string;
  let stack: Stack;
  let edge: string;

  before(async () => {
    upstream = lyingRegistry(digest, size);
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    upstreamHost = `127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    stack = await startStack({ env: { REGISTRIES_FILE: writeRegistriesFile(mkdtempSync(join(tmpdir(), 'ab-corrupt-')), [upstreamHost]) } });
    edge = stack.apps.get('edge-proxy')!.url;
  });
  after(async () => {
    await stack?.stop();
    upstream?.close();
  });

  it('cuts the connection instead of ending a body that does not match its digest, and caches nothing', async () => {
    const res = await outcome(`${edge}/v2/evil/blob/blobs/${digest}?ns=${upstreamHost}`);
    assert.equal(res.status, 200);
    assert.equal(res.ended, 'aborted', `a wrong body of ${res.bytes} bytes ended cleanly`);
    assert.ok(res.bytes < size, 'the last byte is held back until verification');
    const [, hex] = digest.split(':');
    assert.equal(existsSync(join(stack.dir, 'cache', 'blobs', 'sha256', hex!)), false, 'nothing is cached under the digest');
    assert.equal(existsSync(join(stack.dir, 'seeder', 'blobs', 'sha256', hex!)), false, 'nor in the seeder store');
    assert.equal((await fetch(`${edge}/healthz`)).status, 200, 'the edge-proxy survived it');
  });

  it('answers hostile paths with OCI error JSON and keeps serving', async () => {
    const cases: [string, number, string][] = [
      [`/v2/../../etc/passwd/blobs/${digest}?ns=${upstreamHost}`, 400, 'NAME_INVALID'],
      [`/v2/./x/manifests/latest?ns=${upstreamHost}`, 400, 'NAME_INVALID'],
      [`/v2/a%2f..%2fb/manifests/latest?ns=${upstreamHost}`, 400, 'NAME_INVALID'],
      [`/v2/Upper/Case/manifests/latest?ns=${upstreamHost}`, 400, 'NAME_INVALID'],
      [`/v2/ok/blobs/sha256:nothex?ns=${upstreamHost}`, 400, 'DIGEST_INVALID'],
      [`/v2/ok/blobs/${digest}?ns=http://169.254.169.254/`, 400, 'NAME_INVALID'],
      [`/v2/ok/blobs/${digest}?ns=metadata.internal`, 403, 'DENIED'],
      [`/v2/${'a'.repeat(2000)}/manifests/latest?ns=${upstreamHost}`, 400, 'NAME_INVALID'],
    ];
    for (const [path, status, code] of cases) {
      const res = await raw(edge, path);
      assert.equal(res.status, status, path);
      const body = JSON.parse(res.body) as { errors: { code: string }[] };
      assert.equal(body.errors[0]?.code, code, path);
    }
    const big = await fetch(`${edge}/v2/ok/blobs/${digest}?ns=${upstreamHost}`, { headers: { authorization: `Bearer ${'x'.repeat(9000)}` } });
    assert.ok(big.status === 431 || big.status === 400, String(big.status));
    assert.equal((await fetch(`${edge}/v2/`)).status, 200, 'still serving');
  });
});
