import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidDigestError } from '@accelerboat/registry-protocol';
import { blobFixture, collect, listDir, openStore, putBlob, tempRoot } from './blob-store.fixture.js';
import { BlobNotFoundError, WriteInProgressError } from './errors.js';
import type { FsBlobStore } from './fs-blob-store.js';

describe('FsBlobStore', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let store: FsBlobStore;
  beforeEach(async () => {
    ({ root, cleanup } = await tempRoot());
    store = await openStore(root);
  });
  afterEach(async () => {
    await store.close();
    await cleanup();
  });

  describe('read', () => {
    it('returns the whole blob and its size', async () => {
      const blob = blobFixture(2_500_000);
      await putBlob(store, blob);
      const { stream, size } = await store.read(blob.digest);
      assert.equal(size, blob.body.length);
      assert.deepEqual(await collect(stream), blob.body);
    });

    it('returns exact slices for inclusive ranges', async () => {
      const blob = blobFixture(100_000);
      await putBlob(store, blob);
      for (const [start, end] of [[0, 0], [0, 99_999], [10, 19], [99_999, 99_999], [4096, 70_000]] as const) {
        const { stream } = await store.read(blob.digest, { start, end });
        assert.deepEqual(await collect(stream), blob.body.subarray(start, end + 1), `${start}-${end}`);
      }
      const { stream } = await store.read(blob.digest, { start: 99_000 });
      assert.deepEqual(await collect(stream), blob.body.subarray(99_000));
    });

    it('refuses ranges that do not fit the blob', async () => {
      const blob = blobFixture(100);
      await putBlob(store, blob);
      await assert.rejects(store.read(blob.digest, { start: 50, end: 100 }), RangeError);
      await assert.rejects(store.read(blob.digest, { start: 60, end: 59 }), RangeError);
      await assert.rejects(store.read(blob.digest, { start: -1 }), RangeError);
    });

    it('throws BlobNotFoundError for an unknown digest', async () => {
      await assert.rejects(store.read(blobFixture(1).digest), BlobNotFoundError);
    });

    it('reads an empty blob', async () => {
      const blob = blobFixture(0);
      await putBlob(store, blob);
      const { stream, size } = await store.read(blob.digest);
      assert.equal(size, 0);
      assert.equal((await collect(stream)).length, 0);
    });
  });

  describe('hostile digests', () => {
    const hostile = [
      'sha256:../../etc/passwd',
      `sha256:${'A'.repeat(64)}`,
      `sha256:${'a'.repeat(63)}`,
      `sha512:${'a'.repeat(64)}`,
      `md5:${'a'.repeat(32)}`,
      '../../etc/passwd',
      `sha256:${'a'.repeat(62)}/x`,
    ];

    it('are refused by every method before the file system is touched', async () => {
      // What a naive join(root, 'blobs/sha256', '../../etc/passwd') would reach.
      await mkdir(join(root, 'etc'));
      await writeFile(join(root, 'etc', 'passwd'), 'sentinel');
      for (const digest of hostile) {
        assert.throws(() => store.stat(digest), InvalidDigestError, digest);
        assert.throws(() => store.write(digest), InvalidDigestError, digest);
        assert.throws(() => store.writeOrJoin(digest), InvalidDigestError, digest);
        assert.throws(() => store.follow(digest), InvalidDigestError, digest);
        assert.throws(() => store.inProgress(digest), InvalidDigestError, digest);
        await assert.rejects(store.read(digest), InvalidDigestError, digest);
        await assert.rejects(store.delete(digest), InvalidDigestError, digest);
      }
      assert.equal(await readFile(join(root, 'etc', 'passwd'), 'utf8'), 'sentinel');
      assert.deepEqual(await listDir(join(root, 'tmp')), []);
    });
  });

  describe('open', () => {
    it('rebuilds the index from blobs/ and discards tmp/ leftovers and invalid names', async () => {
      const a = blobFixture(1000);
      const b = blobFixture(2000);
      await putBlob(store, a);
      await putBlob(store, b);
      // A crash mid-write leaves a partial temp file; a stray file has no digest name.
      const partial = store.write(blobFixture(10).digest);
      await partial.append(Buffer.from('partial'));
      await writeFile(join(root, 'tmp', 'left-over'), 'x');
      await writeFile(join(root, 'blobs', 'sha256', 'NOT-A-DIGEST'), 'x');
      await writeFile(join(root, 'blobs', 'sha256', 'A'.repeat(64)), 'x');

      const reopened = await openStore(root);
      try {
        assert.deepEqual(await listDir(join(root, 'tmp')), []);
        assert.deepEqual(await listDir(join(root, 'blobs', 'sha256')), [a.digest.slice(7), b.digest.slice(7)].sort());
        assert.deepEqual(reopened.stats(), { entries: 2, bytes: 3000, maxBytes: 1 << 30, inProgress: 0, reservedBytes: 0 });
        assert.deepEqual(await collect((await reopened.read(b.digest)).stream), b.body);
      } finally {
        await reopened.close();
      }
    });

    it('refuses watermarks that make no sense', async () => {
      await assert.rejects(openStore(root, { highWatermark: 0.5, lowWatermark: 0.8 }), RangeError);
      await assert.rejects(openStore(root, { maxBytes: 0 }), RangeError);
    });
  });

  describe('write concurrency', () => {
    it('hands out one writer per digest; concurrent writers join and one file results', async () => {
      const blob = blobFixture(50_000);
      const claims = Array.from({ length: 5 }, () => store.writeOrJoin(blob.digest, { expectedSize: blob.body.length }));
      const writers = claims.filter((c) => c.role === 'writer');
      assert.equal(writers.length, 1);
      assert.deepEqual(claims.slice(1).map((c) => c.role), ['follower', 'follower', 'follower', 'follower']);
      assert.throws(() => store.write(blob.digest), WriteInProgressError);
      const followers = claims.map(() => store.follow(blob.digest).stream);
      const bodies = Promise.all(followers.map(collect));
      const w = writers[0]!.role === 'writer' ? writers[0]!.writer : assert.fail();
      await w.append(blob.body);
      await w.commit();
      for (const body of await bodies) assert.deepEqual(body, blob.body);
      assert.deepEqual(store.writeOrJoin(blob.digest), { role: 'present', size: blob.body.length });
      assert.deepEqual(await listDir(join(root, 'blobs', 'sha256')), [blob.digest.slice(7)]);
      assert.deepEqual(await listDir(join(root, 'tmp')), []);
    });

    it('reports progress of a write in progress', async () => {
      const blob = blobFixture(1000);
      const w = store.write(blob.digest, { expectedSize: 1000 });
      await w.append(blob.body.subarray(0, 400));
      assert.deepEqual(store.inProgress(blob.digest), { bytesWritten: 400, expectedSize: 1000 });
      assert.equal(store.stats().inProgress, 1);
      await w.abort();
      assert.equal(store.inProgress(blob.digest), undefined);
    });
  });

  describe('delete, list, events, verifyAll', () => {
    it('deletes a blob and announces the removal', async () => {
      const blob = blobFixture(100);
      await putBlob(store, blob);
      const removed: string[] = [];
      store.on('removed', (d, reason) => removed.push(`${d} ${reason}`));
      assert.equal(await store.delete(blob.digest), true);
      assert.equal(await store.delete(blob.digest), false);
      assert.equal(store.stat(blob.digest), undefined);
      assert.deepEqual(removed, [`${blob.digest} deleted`]);
      assert.deepEqual(await listDir(join(root, 'blobs', 'sha256')), []);
    });

    it('lists every committed blob with its size', async () => {
      const blobs = [blobFixture(1), blobFixture(2), blobFixture(3)];
      for (const b of blobs) await putBlob(store, b);
      const listed = [];
      for await (const e of store.list()) listed.push(e);
      assert.deepEqual(listed, blobs.map((b) => ({ digest: b.digest, size: b.body.length })));
    });

    it('verifyAll removes corrupt and missing blobs and keeps good ones', async () => {
      const [good, corrupt, truncated] = [blobFixture(3000), blobFixture(3000), blobFixture(3000)];
      for (const b of [good, corrupt, truncated]) await putBlob(store, b);
      const path = (d: string) => join(root, 'blobs', 'sha256', d.slice(7));
      await writeFile(path(corrupt.digest), Buffer.alloc(3000));
      await writeFile(path(truncated.digest), truncated.body.subarray(0, 10));
      const report = await store.verifyAll();
      assert.equal(report.checked, 3);
      assert.deepEqual(report.removed.sort(), [corrupt.digest, truncated.digest].sort());
      assert.deepEqual(await listDir(join(root, 'blobs', 'sha256')), [good.digest.slice(7)]);
    });

    it('heals the index when a blob file vanished behind its back', async () => {
      const blob = blobFixture(10);
      await putBlob(store, blob);
      const removed = new Promise<string>((r) => store.once('removed', (_d, reason) => r(reason)));
      await rm(join(root, 'blobs', 'sha256', blob.digest.slice(7)));
      await assert.rejects(store.read(blob.digest), BlobNotFoundError);
      assert.equal(await removed, 'missing');
      assert.equal(store.stat(blob.digest), undefined);
    });
  });
});
