import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FsBlobStore } from '@accelerboat/blob-store';
import { StoreAnnouncer } from './store-announcer.js';
import { blobFixture, MemoryLogger, RecordingControlPlane, tempStore, until } from './seeding.fixture.js';

const URL = 'http://seeder-1.example:5083';

async function put(store: FsBlobStore, size: number): Promise<string> {
  const b = blobFixture(size);
  const w = store.write(b.digest);
  await w.append(b.bytes);
  await w.commit();
  return b.digest;
}

describe('StoreAnnouncer', () => {
  let store: FsBlobStore;
  let removeStore: () => Promise<void>;
  let plane: RecordingControlPlane;
  let announcer: StoreAnnouncer;
  beforeEach(async () => {
    ({ store, remove: removeStore } = await tempStore());
    plane = new RecordingControlPlane();
  });
  afterEach(async () => {
    await announcer?.stop();
    await removeStore();
  });

  it('announces every stored blob in batches, with its TTL, URL and the seeder source', async () => {
    const digests = [];
    for (let i = 0; i < 5; i++) digests.push(await put(store, 10 + i));
    announcer = new StoreAnnouncer({ store, index: plane, nodeId: 'seeder-1', url: URL, ttlSeconds: 90, batchSize: 2 });
    assert.equal(await announcer.announceAll(), 5);
    assert.deepEqual(plane.announced.map((a) => a.entries.length), [2, 2, 1]);
    assert.ok(plane.announced.every((a) => a.nodeId === 'seeder-1' && a.url === URL && a.ttlSeconds === 90));
    assert.deepEqual(plane.announced.flatMap((a) => a.entries.map((e) => e.digest)).sort(), digests.sort());
    assert.ok(plane.announced.every((a) => a.entries.every((e) => e.source === 'seeder' && e.size >= 10)));
  });

  it('re-announces every third of the TTL, and an empty store still refreshes its liveness', () => {
    announcer = new StoreAnnouncer({ store, index: plane, nodeId: 'seeder-1', url: URL, ttlSeconds: 120 });
    assert.equal(announcer.intervalMs, 40_000);
    return announcer.announceAll().then((n) => {
      assert.equal(n, 0);
      assert.deepEqual(plane.announced, [{ nodeId: 'seeder-1', url: URL, ttlSeconds: 120, entries: [] }]);
    });
  });

  it('withdraws blobs that leave the store, gathering a burst into one request', async () => {
    const a = await put(store, 10);
    const b = await put(store, 11);
    const kept = await put(store, 12);
    announcer = new StoreAnnouncer({ store, index: plane, nodeId: 'seeder-1', url: URL, ttlSeconds: 60 });
    announcer.start();
    await until('the first round is sent', () => plane.announced.length === 1);
    await Promise.all([store.delete(a), store.delete(b)]);
    await until('the withdrawal is sent', () => plane.withdrawn.length > 0);
    await announcer.flushWithdrawals();
    assert.deepEqual(plane.withdrawn.flatMap((w) => w.digests).sort(), [a, b].sort());
    assert.equal(plane.withdrawn.length, 1, 'one request for the burst');
    assert.equal(plane.withdrawn[0]!.nodeId, 'seeder-1');
    await announcer.announceAll();
    assert.deepEqual(plane.announced.at(-1)!.entries.map((e) => e.digest), [kept]);
  });

  it('logs a failed round instead of throwing, and stops listening once stopped', async () => {
    await put(store, 10);
    const logger = new MemoryLogger();
    plane.down = true;
    announcer = new StoreAnnouncer({ store, index: plane, nodeId: 'seeder-1', url: URL, ttlSeconds: 60, logger });
    assert.equal(await announcer.announceAll(), 0);
    assert.ok(logger.lines.some((l) => l.level === 'warn' && /next round retries/.test(l.msg)));
    announcer.start();
    await announcer.stop();
    plane.down = false;
    const d = await put(store, 20);
    await store.delete(d);
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(plane.withdrawn, []);
  });
});
