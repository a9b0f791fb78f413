import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { blobFixture, collect, listDir, manualClock, openStore, putBlob, tempRoot, type BlobFixture } from './blob-store.fixture.js';
import { chooseEvictions } from './eviction.js';
import type { FsBlobStore } from './fs-blob-store.js';

describe('chooseEvictions', () => {
  const limits = { maxBytes: 1000, highWatermark: 0.9, lowWatermark: 0.5 };
  const entries = [1, 2, 3, 4, 5].map((i) => ({ digest: `d${i}`, size: 200 }));

  it('does nothing at or below the high watermark', () => {
    assert.deepEqual(chooseEvictions(entries, () => false, 900, limits), []);
  });

  it('evicts oldest first until usage is at or below the low watermark', () => {
    assert.deepEqual(chooseEvictions(entries, () => false, 1000, limits).map((e) => e.digest), ['d1', 'd2', 'd3']);
  });

  it('skips pinned entries and stops when nothing else can go', () => {
    const pinned = new Set(['d1', 'd3', 'd4', 'd5']);
    assert.deepEqual(chooseEvictions(entries, (d) => pinned.has(d), 1000, limits).map((e) => e.digest), ['d2']);
  });
});

describe('FsBlobStore eviction', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let store: FsBlobStore;
  let clock: ReturnType<typeof manualClock>;
  const KB = 1000;
  // Ten 1 kB blobs fill the 10 kB budget; eviction starts above 9 kB and stops at 5 kB.
  const limits = { maxBytes: 10 * KB, highWatermark: 0.9, lowWatermark: 0.5 };
  let blobs: BlobFixture[];
  const present = () => blobs.map((b, i) => (store.stat(b.digest) ? i : -1)).filter((i) => i >= 0);

  async function fill(n: number): Promise<void> {
    for (const b of blobs.slice(0, n)) {
      await putBlob(store, b);
      clock.advance(1000);
    }
  }
  /**
   * Waits until `n` removals have been announced (the files are gone by then). Unlinks run in
   * parallel, so announcements arrive in any order: the set is sorted, which of them is the point.
   */
  async function removals(n: number, start: () => Promise<void>): Promise<string[]> {
    const seen: string[] = [];
    const all = new Promise<void>((resolve) => {
      const on = (d: string) => {
        seen.push(d);
        if (seen.length === n) {
          store.off('removed', on);
          resolve();
        }
      };
      store.on('removed', on);
    });
    await start();
    await all;
    return seen.sort();
  }

  beforeEach(async () => {
    ({ root, cleanup } = await tempRoot());
    clock = manualClock();
    store = await openStore(root, { ...limits, now: clock.now });
    blobs = Array.from({ length: 12 }, () => blobFixture(KB));
  });
  afterEach(async () => {
    await store.close();
    await cleanup();
  });

  it('evicts least recently used blobs from the high down to the low watermark', async () => {
    await fill(9);
    assert.equal(store.stats().bytes, 9 * KB);
    // Reading blob 0 makes blob 1 the least recently used.
    await collect((await store.read(blobs[0]!.digest)).stream);
    const evicted = await removals(5, () => putBlob(store, blobs[9]!));
    assert.deepEqual(evicted, [1, 2, 3, 4, 5].map((i) => blobs[i]!.digest).sort());
    assert.deepEqual(present(), [0, 6, 7, 8, 9]);
    assert.equal(store.stats().bytes, 5 * KB);
    assert.equal((await listDir(join(root, 'blobs', 'sha256'))).length, 5);
  });

  it('never evicts a blob with an open read stream or follower', async () => {
    await fill(9);
    const following = store.follow(blobs[1]!.digest);
    const reading = await store.read(blobs[0]!.digest);
    // Opening them made 1 and 0 the most recent; using the others makes 1 and 0 the oldest again.
    for (const b of blobs.slice(2, 9)) await collect((await store.read(b.digest)).stream);
    const evicted = await removals(5, () => putBlob(store, blobs[9]!));
    assert.deepEqual(evicted, [2, 3, 4, 5, 6].map((i) => blobs[i]!.digest).sort());
    assert.deepEqual(await collect(reading.stream), blobs[0]!.body);
    assert.deepEqual(await collect(following.stream), blobs[1]!.body);
  });

  it('keeps pinned least-recently-used blobs even when that leaves usage above the low watermark', async () => {
    await fill(9);
    const pinned = await Promise.all(blobs.slice(0, 8).map((b) => store.read(b.digest)));
    // Only blob 8 is unpinned: it goes, and the pinned ones stay although usage remains high.
    const evicted = await removals(1, () => putBlob(store, blobs[9]!));
    assert.deepEqual(evicted, [blobs[8]!.digest]);
    for (const r of pinned) r.stream.destroy();
  });

  it('reserves space for writes in progress and never evicts them', async () => {
    await fill(8);
    const big = blobFixture(2 * KB);
    // 8 kB committed + 2 kB reserved > 9 kB: eviction frees committed space, not the write.
    const evicted = await removals(5, async () => {
      store.write(big.digest, { expectedSize: big.body.length });
    });
    assert.deepEqual(evicted, blobs.slice(0, 5).map((b) => b.digest).sort());
    assert.deepEqual(store.stats(), { entries: 3, bytes: 3 * KB, maxBytes: 10 * KB, inProgress: 1, reservedBytes: 2 * KB });
    assert.deepEqual(store.inProgress(big.digest), { bytesWritten: 0, expectedSize: 2 * KB });
  });

  it('keeps the LRU order across a restart (access times live in the mtime)', async () => {
    await fill(9);
    await collect((await store.read(blobs[0]!.digest)).stream);
    await store.close();
    store = await openStore(root, { ...limits, now: clock.now });
    const evicted = await removals(5, () => putBlob(store, blobs[9]!));
    assert.deepEqual(evicted, [1, 2, 3, 4, 5].map((i) => blobs[i]!.digest).sort());
  });

  it('evicts on open when the budget shrank', async () => {
    await fill(9);
    await store.close();
    store = await openStore(root, { maxBytes: 4 * KB, highWatermark: 0.9, lowWatermark: 0.5, now: clock.now });
    // The index is trimmed at once; close() waits for the unlinks.
    assert.equal(store.stats().bytes, 2 * KB);
    assert.deepEqual(present(), [7, 8]);
    await store.close();
    assert.equal((await listDir(join(root, 'blobs', 'sha256'))).length, 2);
  });
});
