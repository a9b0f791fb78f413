import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FsBlobStore } from '@accelerboat/blob-store';
import { ContainerdConfig } from '@accelerboat/containerd-client';
import { startContainerd, type ContainerdFixture } from '@accelerboat/containerd-client/testing';
import { CLUSTER_SECRET_HEADER, createPeerBlobHandler } from '@accelerboat/peer-http';
import { buildImage, tempDir, type ImageFixture, type TempDir } from '@accelerboat/testing';
import { ContainerdPeerContent } from './containerd-peer-content.js';
import { EdgeProxyConfig } from './edge-proxy.config.js';

const secret = 'int-spec-cluster-secret-0123456789';
const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

// The peer endpoint as mirror.module.ts mounts it: an (empty) cache first, this node's containerd second.
describe('peer endpoint serving containerd content (real containerd, imported image)', () => {
  let containerd: ContainerdFixture;
  let image: ImageFixture;
  let cacheDir: TempDir;
  let store: FsBlobStore;
  let content: ContainerdPeerContent;
  let server: Server;
  let base: string;
  const get = (digest: string, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${base}/blobs/${digest}`, { headers: { [CLUSTER_SECRET_HEADER]: secret, ...headers } });

  before(async () => {
    containerd = await startContainerd();
    image = await buildImage({ layers: [3 << 20, 64 * 1024] });
    // Imported, never pulled through a mirror: only containerd holds these blobs.
    await containerd.importImage(image, 'registry.test/team/app');
    cacheDir = tempDir('ab-edge-cache-');
    store = await FsBlobStore.open(cacheDir.path, { maxBytes: 1 << 30, highWatermark: 0.9, lowWatermark: 0.8 });
    const app = Object.assign(new EdgeProxyConfig(), { clusterSecret: secret });
    content = new ContainerdPeerContent(app, Object.assign(new ContainerdConfig(), { socket: containerd.socket }));
    const handle = createPeerBlobHandler({ sources: [{ store }], fallback: content.source, clusterSecret: secret });
    server = createServer((req, res) => void handle(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server?.close();
    content?.onApplicationShutdown();
    await store?.close();
    await cacheDir?.remove();
    await image?.remove();
    await containerd?.stop();
  });

  it('streams the exact bytes of every layer, the config and the manifest by digest', async () => {
    for (const d of [...image.layers, image.config, image.manifest]) {
      const res = await get(d.digest);
      assert.equal(res.status, 200, d.digest);
      assert.equal(res.headers.get('x-accelerboat-blob-state'), 'committed');
      const body = Buffer.from(await res.arrayBuffer());
      assert.equal(body.length, d.size);
      assert.equal(sha(body), d.digest);
    }
  });

  it('honours a Range', async () => {
    const layer = image.layers[0]!;
    const res = await get(layer.digest, { range: 'bytes=1048576-1049599' });
    assert.equal(res.status, 206);
    assert.equal(res.headers.get('content-range'), `bytes 1048576-1049599/${layer.size}`);
    const part = Buffer.from(await res.arrayBuffer());
    assert.ok(part.equals(readFileSync(image.blobPath(layer.digest)).subarray(1048576, 1049600)));
  });

  it('refuses a caller without the cluster secret, and answers 404 for content containerd lacks', async () => {
    assert.equal((await fetch(`${base}/blobs/${image.layers[0]!.digest}`)).status, 401);
    assert.equal((await get(sha(Buffer.from('not in containerd')))).status, 404);
  });

  it('answers 503 while containerd is unreachable', async () => {
    const offline = new ContainerdPeerContent(
      Object.assign(new EdgeProxyConfig(), { clusterSecret: secret }),
      Object.assign(new ContainerdConfig(), { socket: `${containerd.dir}/nobody.sock`, callTimeoutMs: 1000 }),
    );
    const handle = createPeerBlobHandler({ sources: [{ store }], fallback: offline.source, clusterSecret: secret });
    const srv = createServer((req, res) => void handle(req, res));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(srv.address() as AddressInfo).port}/blobs/${image.layers[1]!.digest}`, { headers: { [CLUSTER_SECRET_HEADER]: secret } });
      assert.equal(res.status, 503);
    } finally {
      srv.close();
      offline.onApplicationShutdown();
    }
  });

  it('serves nothing from containerd when CONTAINERD_PEER_SERVING is off', () => {
    const off = new ContainerdPeerContent(Object.assign(new EdgeProxyConfig(), { containerdPeerServing: false }), new ContainerdConfig());
    assert.equal(off.source, undefined);
  });
});
