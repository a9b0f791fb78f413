import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Endpoints } from '@accelerboat/registry-protocol';
import { freePort } from '@accelerboat/testing';
import { podmanPull, skopeoCopy, startContainerd, writeHostsDir, writeRegistriesConf, type Containerd } from './support/clients.js';
import { startStack, type Stack } from './support/stack.js';
import { PASSWORD, startUpstream, USER, writeRegistriesFile, type Upstream } from './support/upstreams.js';

const MiB = 1024 * 1024;

/** The manifest digest skopeo wrote into an OCI layout. */
function layoutDigest(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: { digest: string }[] }).manifests[0]!.digest;
}

describe('pulling through the edge-proxy with real clients', () => {
  let pub: Upstream;
  let priv: Upstream;
  let stack: Stack;
  let containerd: Containerd;
  let mirrorHost: string;
  let deadHost: string;

  before(async () => {
    pub = await startUpstream({ anonymousPull: true, layers: [3 * MiB, 1 * MiB, 64 * 1024] });
    priv = await startUpstream({ anonymousPull: false, layers: [2 * MiB, 128 * 1024], repository: 'secret/app', mediaTypes: 'docker' });
    const scratch = join('/tmp', `ab-e2e-mirror-${process.pid}`);
    mkdirSync(scratch, { recursive: true });
    stack = await startStack({
      env: { REGISTRIES_FILE: writeRegistriesFile(scratch, [pub.registry.host, priv.registry.host]), DEFAULT_REGISTRY: pub.registry.host, LOG_LEVEL: 'info' },
    });
    mirrorHost = new URL(stack.apps.get('edge-proxy')!.url).host;
    // Clients are pointed at a registry where nothing listens: they can only succeed through the mirror.
    deadHost = `127.0.0.1:${await freePort()}`;
    containerd = await startContainerd();
  });
  after(async () => {
    await containerd?.stop();
    await stack?.stop();
    await pub?.registry.stop();
    await priv?.registry.stop();
  });

  it('skopeo copies an image through a registries.conf mirror with the manifest digest unchanged', async () => {
    const conf = writeRegistriesConf(stack.dir, deadHost, mirrorHost);
    const dest = join(stack.dir, 'skopeo-pub');
    await skopeoCopy({ image: `${deadHost}/${pub.repository}:${pub.tag}`, registriesConf: conf, dest });
    assert.equal(layoutDigest(dest), pub.digest);
  });

  it('containerd (ctr with a hosts.toml mirror and ?ns=) pulls and unpacks the image', async () => {
    const hostsDir = join(stack.dir, 'ctr-pub');
    writeHostsDir(hostsDir, pub.registry.host, `http://${mirrorHost}`, `http://${deadHost}`);
    await containerd.ctr(['images', 'pull', '--plain-http', '--hosts-dir', join(hostsDir, 'certs.d'), `${pub.registry.host}/${pub.repository}:${pub.tag}`]);
    const { stdout } = await containerd.ctr(['images', 'ls']);
    assert.ok(stdout.includes(pub.digest), stdout);
  });

  it('podman pulls through the mirror', async () => {
    const conf = writeRegistriesConf(stack.dir, deadHost, mirrorHost);
    await podmanPull({ image: `${deadHost}/${pub.repository}:${pub.tag}`, registriesConf: conf, root: join(stack.dir, 'podman') });
  });

  it('the upstream saw one GET per blob despite three clients', async () => {
    const log = await pub.registry.flushAccessLog();
    const blobGets = log.filter((e) => e.kind === 'blob' && e.method === 'GET' && e.status < 300);
    const perDigest = new Map<string, number>();
    for (const e of blobGets) perDigest.set(e.reference ?? '', (perDigest.get(e.reference ?? '') ?? 0) + 1);
    for (const layer of [...pub.image.layers, pub.image.config]) assert.equal(perDigest.get(layer.digest), 1, `GETs of ${layer.digest}`);
  });

  it('counts hits and misses in cache-stats over NATS and on /metrics', async () => {
    const { connect, StringCodec } = await import('nats');
    const nc = await connect({ servers: stack.nats.url });
    const sc = StringCodec();
    const reply = await nc.request(Endpoints.cacheStats.subject.replace('{node}', 'node-1'), sc.encode('{}'), { timeout: 2000 });
    await nc.close();
    const stats = JSON.parse(sc.decode(reply.data)) as { entries: number; hits: number; misses: number };
    assert.ok(stats.entries >= pub.image.layers.length + 1, JSON.stringify(stats));
    assert.ok(stats.misses >= 1 && stats.hits >= 1, JSON.stringify(stats));
    const metrics = await (await fetch(`${stack.apps.get('edge-proxy')!.url}/metrics`)).text();
    assert.match(metrics, /p2p_edge_blob_requests_total\{outcome="hit"/);
    assert.match(metrics, /p2p_edge_cache_bytes\{[^}]*\} [1-9]/);
  });

  it('a private repository is refused without credentials and served with them', async () => {
    const hostsDir = join(stack.dir, 'ctr-priv');
    writeHostsDir(hostsDir, priv.registry.host, `http://${mirrorHost}`, `http://${deadHost}`);
    const ref = `${priv.registry.host}/${priv.repository}:${priv.tag}`;
    await assert.rejects(containerd.ctr(['images', 'pull', '--plain-http', '--hosts-dir', join(hostsDir, 'certs.d'), ref]));
    await containerd.ctr(['images', 'pull', '--plain-http', '--user', `${USER}:${PASSWORD}`, '--hosts-dir', join(hostsDir, 'certs.d'), ref]);
    const { stdout } = await containerd.ctr(['images', 'ls']);
    assert.ok(stdout.includes(priv.digest));
  });

  it('a second client without credentials gets neither the manifest nor a blob from the cache', async () => {
    const base = `${stack.apps.get('edge-proxy')!.url}/v2/${priv.repository}`;
    const ns = `?ns=${encodeURIComponent(priv.registry.host)}`;
    const manifest = await fetch(`${base}/manifests/${priv.digest}${ns}`, { headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
    assert.equal(manifest.status, 401);
    assert.match(manifest.headers.get('www-authenticate') ?? '', /^Bearer realm="http:\/\/.+\/auth\/token\//);
    const blob = await fetch(`${base}/blobs/${priv.image.layers[0]!.digest}${ns}`);
    assert.equal(blob.status, 401);
    const wrong = await fetch(`${base}/blobs/${priv.image.layers[0]!.digest}${ns}`, { headers: { authorization: `Basic ${Buffer.from('mallory:guess').toString('base64')}` } });
    assert.ok(wrong.status === 401 || wrong.status === 403, String(wrong.status));
  });

  it('after the upstream stops, a pull by digest still succeeds from the cache', async () => {
    await pub.registry.process.stop();
    const conf = writeRegistriesConf(stack.dir, deadHost, mirrorHost);
    const dest = join(stack.dir, 'skopeo-offline');
    await skopeoCopy({ image: `${deadHost}/${pub.repository}@${pub.digest}`, registriesConf: conf, dest });
    assert.equal(layoutDigest(dest), pub.digest);
  });
});
