import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { ContentNotFoundError, type ContentInfo, type ContentStore } from './content-store.js';

/** What the suite needs besides the store: a way to put blobs in and take them out. */
export interface ContentStoreHarness {
  store: ContentStore;
  /** Commits a blob with these labels; returns its digest. */
  add(bytes: Buffer, labels?: Record<string, string>): Promise<string>;
  /** Deletes a blob. */
  remove(digest: string): Promise<void>;
  /** Releases whatever `make` started. */
  close?(): Promise<void>;
}

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function collect(it: AsyncIterable<ContentInfo>): Promise<Map<string, ContentInfo>> {
  const out = new Map<string, ContentInfo>();
  for await (const info of it) out.set(info.digest, info);
  return out;
}

/**
 * The behaviour every ContentStore must have. MemoryContentStore and ContainerdContent (on a real
 * containerd) both run it, so the fake used by the indexer's unit tests cannot drift.
 */
export function contentStoreConformance(name: string, make: () => Promise<ContentStoreHarness>): void {
  describe(`${name} (ContentStore conformance)`, () => {
    let h: ContentStoreHarness;
    const big = randomBytes(3 * 1024 * 1024 + 17); // more than one gRPC read chunk
    const small = randomBytes(1000);
    let bigDigest: string;
    let smallDigest: string;

    before(async () => {
      h = await make();
      bigDigest = await h.add(big, { 'test.accelerboat/kind': 'big' });
      smallDigest = await h.add(small);
    });
    after(async () => h?.close?.());

    it('lists committed blobs with their sizes and labels', async () => {
      const all = await collect(h.store.list());
      assert.equal(all.get(bigDigest)?.size, big.length);
      assert.equal(all.get(bigDigest)?.labels['test.accelerboat/kind'], 'big');
      assert.equal(all.get(smallDigest)?.size, small.length);
    });

    it('describes one blob, and answers undefined for one it does not hold', async () => {
      const info = await h.store.info(bigDigest);
      assert.equal(info?.digest, bigDigest);
      assert.equal(info?.size, big.length);
      assert.equal(await h.store.info(sha256(randomBytes(8))), undefined);
    });

    it('refuses a malformed digest', async () => {
      await assert.rejects(h.store.info('sha256:../../etc/passwd'), /digest/);
      await assert.rejects(buffer(h.store.read('md5:abc')), /digest/);
    });

    it('reads a whole blob whose sha256 matches its digest', async () => {
      const bytes = await buffer(h.store.read(bigDigest));
      assert.equal(bytes.length, big.length);
      assert.equal(sha256(bytes), bigDigest);
    });

    it('reads a range, from an offset to the end, and nothing for size 0', async () => {
      assert.ok((await buffer(h.store.read(bigDigest, { offset: 1_048_570, size: 100 }))).equals(big.subarray(1_048_570, 1_048_670)));
      assert.ok((await buffer(h.store.read(smallDigest, { offset: 990 }))).equals(small.subarray(990)));
      assert.equal((await buffer(h.store.read(smallDigest, { offset: 10, size: 0 }))).length, 0);
    });

    it('fails the stream with ContentNotFoundError for a blob it does not hold', async () => {
      const missing = sha256(randomBytes(8));
      await assert.rejects(buffer(h.store.read(missing)), (e: unknown) => e instanceof ContentNotFoundError && e.digest === missing);
    });

    it('can be stopped part-way through a list or a read and still answers afterwards', async () => {
      for await (const _ of h.store.list()) break;
      const stream = h.store.read(bigDigest);
      for await (const _ of stream) break;
      assert.equal((await h.store.info(smallDigest))?.size, small.length);
    });

    it('forgets a deleted blob', async () => {
      const gone = await h.add(randomBytes(64));
      await h.remove(gone);
      assert.equal(await h.store.info(gone), undefined);
      assert.equal((await collect(h.store.list())).has(gone), false);
    });
  });
}
