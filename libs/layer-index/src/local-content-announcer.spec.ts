import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { MemoryContentStore } from '@accelerboat/containerd-client';
import { tempDir, type TempDir } from '@accelerboat/testing';
import { announceGroups } from './announce-groups.js';
import type { BlobDirSpec } from './blob-dirs.js';
import { ContainerdProvider } from './containerd-provider.js';
import { testClock } from './layer-index.conformance.js';
import type { AnnounceEntry, LayerIndex } from './layer-index.js';
import { LocalContentAnnouncer } from './local-content-announcer.js';
import { dropBlob, until } from './local-content.fixture.js';
import { MemoryLayerIndex } from './memory-layer-index.js';

const URL = 'http://node-a:5080';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setup(opts: { cacheDirs?: number; ttlSeconds?: number; index?: (inner: LayerIndex) => LayerIndex } = {}) {
  const clock = testClock();
  const memory = new MemoryLayerIndex(clock.now);
  const index = opts.index ? opts.index(memory) : memory;
  const containerd = new MemoryContentStore();
  const caches: TempDir[] = Array.from({ length: opts.cacheDirs ?? 1 }, () => tempDir('ab-announcer-'));
  const blobDirs: BlobDirSpec[] = caches.map((c) => ({ source: 'edge-cache', path: c.path }));
  const provider = new ContainerdProvider(containerd, containerd, { rescanDelayMs: 10, gcSettleMs: 50 });
  const { groups } = announceGroups({ blobDirs, peerUrl: URL, containerd: provider, blobDirOptions: { settleMs: 10, rewatchMs: 20 } });
  const announcer = new LocalContentAnnouncer({ index, nodeId: 'node-a', ttlSeconds: opts.ttlSeconds ?? 60, groups, flushDelayMs: 10 });
  cleanups.push(async () => {
    await announcer.stop();
    for (const c of caches) await c.remove();
  });
  const holders = async (digest: string): Promise<string[]> => (await memory.lookup(digest)).map((h) => `${h.nodeId}/${h.source}@${h.url}:${h.size}`);
  return { clock, memory, containerd, caches, announcer, holders };
}

describe('LocalContentAnnouncer', () => {
  it("announces what containerd and the blob stores hold at start, under each store's source and the node's URL", async () => {
    const t = setup();
    const inContainerd = t.containerd.put(randomBytes(30));
    const inCache = dropBlob(t.caches[0]!.path, Buffer.alloc(20));
    t.announcer.start();
    await t.announcer.round();
    assert.deepEqual(await t.holders(inContainerd), [`node-a/containerd@${URL}:30`]);
    assert.deepEqual(await t.holders(inCache), [`node-a/edge-cache@${URL}:20`]);
  });

  it('announces content that arrives with an image, and withdraws it on a content delete', async () => {
    const t = setup();
    t.announcer.start();
    await t.announcer.round();
    const layer = t.containerd.put(randomBytes(40));
    t.containerd.putImage('docker.io/team/app:1');
    await until('the new layer is announced', async () => (await t.holders(layer)).length === 1);
    t.containerd.delete(layer);
    await until('the layer is withdrawn', async () => (await t.holders(layer)).length === 0);
  });

  it('withdraws what garbage collection removes after an image delete, which publishes no content event', async () => {
    const t = setup();
    const layer = t.containerd.put(randomBytes(40));
    t.containerd.putImage('docker.io/team/app:1');
    t.announcer.start();
    await until('announced', async () => (await t.holders(layer)).length === 1);
    t.containerd.deleteImage('docker.io/team/app:1');
    await new Promise((r) => setTimeout(r, 30)); // GC runs a little after the delete
    t.containerd.collect(layer);
    await until('withdrawn', async () => (await t.holders(layer)).length === 0);
  });

  it('lists again when the event subscription resumes, finding what arrived unseen', async () => {
    const t = setup();
    t.announcer.start();
    await t.announcer.settled(); // the initial round and the first subscription's re-list
    const unseen = t.containerd.put(randomBytes(10));
    await t.announcer.settled();
    assert.deepEqual(await t.holders(unseen), []);
    t.containerd.restart();
    await until('announced after the resumed subscription', async () => (await t.holders(unseen)).length === 1);
  });

  it('announces a blob dropped into a store and withdraws it when the file goes', async () => {
    const t = setup();
    t.announcer.start();
    await t.announcer.round();
    const digest = dropBlob(t.caches[0]!.path, Buffer.alloc(5));
    await until('announced', async () => (await t.holders(digest)).length === 1);
    await rm(join(t.caches[0]!.path, 'blobs', 'sha256', digest.slice(7)));
    await until('withdrawn', async () => (await t.holders(digest)).length === 0);
  });

  it('keeps a claim while another store of the same source still holds the blob', async () => {
    const t = setup({ cacheDirs: 2 });
    const bytes = randomBytes(8);
    const digest = dropBlob(t.caches[0]!.path, bytes);
    dropBlob(t.caches[1]!.path, bytes);
    t.announcer.start();
    await t.announcer.round();
    await rm(join(t.caches[0]!.path, 'blobs', 'sha256', digest.slice(7)));
    await new Promise((r) => setTimeout(r, 100));
    await t.announcer.settled();
    assert.equal((await t.holders(digest)).length, 1);
    await rm(join(t.caches[1]!.path, 'blobs', 'sha256', digest.slice(7)));
    await until('withdrawn once no store holds it', async () => (await t.holders(digest)).length === 0);
  });

  it('neither refreshes nor withdraws claims while containerd cannot be listed, so they expire; they return with it', async () => {
    const t = setup();
    const layer = t.containerd.put(randomBytes(12));
    t.announcer.start();
    await t.announcer.round();
    t.containerd.unavailable = true;
    t.clock.advance(30_000);
    await t.announcer.round();
    assert.equal((await t.holders(layer)).length, 1, 'not withdrawn');
    t.clock.advance(31_000);
    assert.deepEqual(await t.holders(layer), [], 'expired without a re-announce');
    t.containerd.unavailable = false;
    await t.announcer.round();
    assert.equal((await t.holders(layer)).length, 1);
  });

  it('writes at most 1000 entries per batch and announces everything again every ttl/3', async () => {
    const calls: number[] = [];
    const t = setup({
      ttlSeconds: 3,
      index: (inner) => ({
        announce: (n: string, u: string | undefined, e: AnnounceEntry[], ttl: number) => (calls.push(e.length), inner.announce(n, u, e, ttl)),
        withdraw: (...a: Parameters<LayerIndex['withdraw']>) => inner.withdraw(...a),
        lookup: (d: string) => inner.lookup(d),
      }),
    });
    for (let i = 0; i < 2500; i++) t.containerd.put(randomBytes(16));
    t.announcer.start();
    assert.equal(t.announcer.intervalMs, 1000);
    await until('two full rounds', () => calls.filter((n) => n === 1000).length >= 4, 4000);
    assert.ok(calls.every((n) => n <= 1000));
    assert.equal(t.announcer.claims('containerd').size, 2500);
  });

  it('carries on when the index fails: the next round announces', async () => {
    let failing = true;
    const t = setup({
      index: (inner) => ({
        announce: async (...a: Parameters<LayerIndex['announce']>) => {
          if (failing) throw new Error('redis down');
          return inner.announce(...a);
        },
        withdraw: (...a: Parameters<LayerIndex['withdraw']>) => inner.withdraw(...a),
        lookup: (d: string) => inner.lookup(d),
      }),
    });
    const layer = t.containerd.put(randomBytes(12));
    t.announcer.start();
    await t.announcer.round();
    assert.deepEqual(await t.holders(layer), []);
    failing = false;
    await t.announcer.round();
    assert.equal((await t.holders(layer)).length, 1);
  });
});
