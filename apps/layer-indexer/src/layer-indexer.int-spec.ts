import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startContainerd, type ContainerdFixture } from '@accelerboat/containerd-client/testing';
import { LayerIndexerClient } from '@accelerboat/layer-index';
import { NatsRpcClient } from '@accelerboat/nats-transport';
import type { LayerHolder } from '@accelerboat/registry-protocol';
import { bootstrapService, type RunningService } from '@accelerboat/service-kit';
import { buildImage, freePort, startNatsServer, startRedisServer, tempDir, type ImageFixture, type NatsServer, type RedisServer, type TempDir } from '@accelerboat/testing';
import type { layerIndexerConfig } from './layer-indexer.config.js';
import { layerIndexerDefinition } from './layer-indexer.definition.js';

const NODE = 'node-int';
const PEER_URL = 'http://10.9.8.7:5080';
const SEEDER_URL = 'http://10.9.8.7:5083';
const TTL = 10;

async function until(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function dropBlob(root: string, bytes: Buffer): string {
  const hex = createHash('sha256').update(bytes).digest('hex');
  mkdirSync(join(root, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(root, 'blobs', 'sha256', hex), bytes);
  return `sha256:${hex}`;
}

describe('the layer-indexer with a real containerd and Redis', () => {
  let containerd: ContainerdFixture;
  let redis: RedisServer;
  let nats: NatsServer;
  let dir: TempDir;
  let app: RunningService<typeof layerIndexerConfig>;
  let client: LayerIndexerClient;
  const images: ImageFixture[] = [];
  const holders = async (digest: string): Promise<LayerHolder[]> => (await client.lookup({ digest })).holders;
  /** A check: does this node claim the digest under that source? */
  const claimed = (source: string, digest: string) => async (): Promise<boolean> => (await holders(digest)).some((h) => h.nodeId === NODE && h.source === source);

  before(async () => {
    [containerd, redis, nats] = await Promise.all([startContainerd(), startRedisServer(), startNatsServer()]);
    dir = tempDir('ab-indexer-int-');
    app = await bootstrapService(layerIndexerDefinition, {
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(await freePort()),
      INSTANCE_ID: NODE,
      LOG_LEVEL: 'warn',
      NATS_SERVERS: nats.url,
      REDIS_URL: redis.url,
      INDEX_TTL_SECONDS: String(TTL),
      PEER_URL,
      BLOB_DIRS: `edge-cache:${join(dir.path, 'cache')},seeder:${join(dir.path, 'seeder')}@${SEEDER_URL}`,
      CONTAINERD_SOCK: containerd.socket,
      CONTAINERD_NAMESPACE: 'k8s.io',
      CONTAINERD_CONTENT_DIR: containerd.contentDir,
    });
    client = new LayerIndexerClient(new NatsRpcClient(app.ctx.nats, { timeoutMs: 3000 }));
  });
  after(async () => {
    await app?.close();
    await containerd?.stop();
    await Promise.all([redis?.stop(), nats?.stop(), dir?.remove(), ...images.map((i) => i.remove())]);
  });

  it("announces an image imported into containerd only (never pulled through the proxy) as 'containerd' at PEER_URL", async () => {
    const image = await buildImage({ layers: [200_000, 30_000], tag: 'v1' });
    images.push(image);
    await containerd.importImage(image, 'registry.example/team/only-containerd');
    for (const layer of [...image.layers, image.config, image.manifest]) {
      await until(`${layer.digest} is announced`, claimed('containerd', layer.digest));
      const h = (await holders(layer.digest)).find((x) => x.source === 'containerd')!;
      assert.deepEqual({ nodeId: h.nodeId, url: h.url, size: h.size }, { nodeId: NODE, url: PEER_URL, size: layer.size });
    }
    const verified = await client.verify(NODE, { digest: image.layers[0]!.digest, size: image.layers[0]!.size });
    assert.equal(verified.present, true, 'verify asks containerd too');
  });

  it('withdraws an image removed with ctr images rm + ctr content rm', async () => {
    const image = await buildImage({ layers: [50_000], tag: 'v1' });
    images.push(image);
    const name = await containerd.importImage(image, 'registry.example/team/removed');
    const layer = image.layers[0]!.digest;
    await until('announced', claimed('containerd', layer));
    await containerd.ctr(['images', 'rm', name]);
    await containerd.ctr(['content', 'rm', layer]).catch(() => undefined); // GC may have been first
    await until('withdrawn', async () => !(await claimed('containerd', layer)()));
    assert.equal((await client.verify(NODE, { digest: layer, size: image.layers[0]!.size })).present, false);
  });

  it('withdraws what containerd garbage-collects after an image delete (no content event)', async () => {
    const image = await buildImage({ layers: [40_000], tag: 'v2' });
    images.push(image);
    const name = await containerd.importImage(image, 'registry.example/team/collected');
    const layer = image.layers[0]!.digest;
    await until('announced', claimed('containerd', layer));
    await containerd.ctr(['images', 'rm', name]);
    await until('withdrawn', async () => !(await claimed('containerd', layer)()));
  });

  it("announces a blob file dropped into a BLOB_DIRS store with that store's source and URL", async () => {
    const cached = dropBlob(join(dir.path, 'cache'), randomBytes(1234));
    const seeded = dropBlob(join(dir.path, 'seeder'), randomBytes(99));
    await until('the cache blob is announced', claimed('edge-cache', cached));
    await until('the seeder blob is announced', claimed('seeder', seeded));
    assert.deepEqual((await holders(cached)).map((h) => [h.source, h.url, h.size]), [['edge-cache', PEER_URL, 1234]]);
    assert.deepEqual((await holders(seeded)).map((h) => [h.source, h.url, h.size]), [['seeder', SEEDER_URL, 99]]);
  });

  it('lets claims expire when they are no longer re-announced (containerd gone), while re-announced ones stay', { timeout: 30_000 }, async () => {
    const image = await buildImage({ layers: [10_000], tag: 'v3' });
    images.push(image);
    await containerd.importImage(image, 'registry.example/team/expiring');
    const layer = image.layers[0]!.digest;
    const cached = dropBlob(join(dir.path, 'cache'), randomBytes(77));
    await until('both announced', async () => (await claimed('containerd', layer)()) && (await claimed('edge-cache', cached)()));
    const t0 = Date.now();
    await containerd.stop(); // no withdraw can happen now, only expiry
    await until('the containerd claim expired', async () => !(await claimed('containerd', layer)()), (TTL + 5) * 1000);
    assert.ok(Date.now() - t0 >= (TTL * 1000) / 3, 'it outlived at least one re-announce interval');
    assert.ok(await claimed('edge-cache', cached)(), 'the blob-dir claim is re-announced every ttl/3 and outlives its first TTL');
  });
});
