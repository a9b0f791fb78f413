import { EventEmitter } from 'node:events';
import { open, rename, rm, utimes } from 'node:fs/promises';
import { Digest } from '@accelerboat/registry-protocol';
import { checkExpectedSize, checkRange, hashFile } from './blob-checks.js';
import { BlobIndex } from './blob-index.js';
import { BlobLayout } from './blob-layout.js';
import type * as T from './blob-store.types.js';
import { BlobWriter } from './blob-writer.js';
import { BlobNotFoundError, WriteInProgressError } from './errors.js';
import { checkLimits, chooseEvictions, type CapacityLimits } from './eviction.js';
import { FollowStream } from './follow-stream.js';

// Large reads keep syscalls per GiB low; memory per reader stays bounded at about this much.
const READ_HIGH_WATER_MARK = 4 << 20;

/**
 * A verified, content-addressed blob store on local disk (`<root>/blobs/<alg>/<hex>`), shared by
 * the edge-proxy cache and the seeder. Every method parses the digest first (InvalidDigestError,
 * before any fs access). One process owns a root: open() empties its tmp/.
 *
 * Single flight: `writeOrJoin` hands out at most one BlobWriter per digest; everyone else, the
 * writer's own client included, streams with `follow()`, which serves bytes as they land and ends
 * only once the writer has verified and committed the blob.
 */
export class FsBlobStore extends EventEmitter<T.BlobStoreEvents> {
  private readonly index = new BlobIndex();
  private readonly writers = new Map<string, BlobWriter>();
  // Unlinks in flight, so a new commit of the same digest cannot be deleted by a late unlink.
  private readonly deletions = new Map<string, Promise<void>>();

  private constructor(
    private readonly layout: BlobLayout,
    private readonly limits: CapacityLimits,
    private readonly now: () => number,
  ) {
    super();
  }

  /** Opens (creating if needed) the store at `root`: empties tmp/ and indexes blobs/ from file metadata. */
  static async open(root: string, options: T.BlobStoreOptions): Promise<FsBlobStore> {
    const { maxBytes, highWatermark, lowWatermark } = options;
    checkLimits({ maxBytes, highWatermark, lowWatermark });
    const store = new FsBlobStore(new BlobLayout(root), { maxBytes, highWatermark, lowWatermark }, options.now ?? Date.now);
    await store.layout.prepare();
    const found = await store.layout.scan();
    // Oldest mtime first, so the LRU order survives restarts (reads bump the mtime).
    found.sort((a, b) => a.lastAccessMs - b.lastAccessMs);
    for (const b of found) store.index.add(b.digest, b.size, b.lastAccessMs);
    // The budget may have shrunk since the last run.
    store.evictIfNeeded();
    return store;
  }

  /** The committed blob's digest and size, or undefined (writes in progress do not count). */
  stat(digest: string): T.BlobStat | undefined {
    const entry = this.index.get(Digest.parse(digest).toString());
    return entry && { digest: entry.digest, size: entry.size };
  }

  /** Opens a committed blob (optionally a range); throws BlobNotFoundError, or RangeError for a bad range. */
  async read(digest: string, range: T.ByteRange = {}): Promise<T.BlobRead> {
    const d = Digest.parse(digest);
    const key = d.toString();
    const entry = this.index.get(key);
    if (!entry) throw new BlobNotFoundError(key);
    const { start, end } = checkRange(range.start ?? 0, range.end, entry.size);
    // Pin before the first await, so eviction cannot pick the blob between lookup and open.
    this.index.pin(key);
    const handle = await open(this.layout.blobPath(d), 'r').catch((err: unknown) => {
      this.index.unpin(key);
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      // Deleted behind our back: heal the index so the announcer stops advertising it.
      void this.removeBlob(key, 'missing');
      throw new BlobNotFoundError(key);
    });
    await this.touch(key);
    const stream = handle.createReadStream({ start, end, highWaterMark: READ_HIGH_WATER_MARK });
    stream.once('close', () => this.index.unpin(key));
    return { stream, size: entry.size };
  }

  /**
   * Streams a blob that is committed or being written, from `start`, as bytes land. It errors
   * (never ends cleanly) if the write fails; see FollowOptions.waitForCommit. Throws
   * BlobNotFoundError when there is neither a blob nor a write.
   */
  follow(digest: string, options: T.FollowOptions = {}): T.BlobFollow {
    const d = Digest.parse(digest);
    const key = d.toString();
    const entry = this.index.get(key);
    const writer = entry ? undefined : this.writers.get(key);
    if (!entry && !writer) throw new BlobNotFoundError(key);
    const size = entry ? entry.size : writer!.expectedSize;
    const { start, end } = checkRange(options.start ?? 0, options.end, size);
    this.index.pin(key);
    if (entry) void this.touch(key);
    const source = { digest: key, blobPath: this.layout.blobPath(d), writer, committedSize: entry?.size };
    const stream = new FollowStream(source, { start, end, waitForCommit: options.waitForCommit ?? true }, () => this.index.unpin(key));
    return { stream, size };
  }

  /**
   * Starts a write, throwing WriteInProgressError if one is already running for the digest (use
   * writeOrJoin to share it). If the blob is already stored, the write still verifies its bytes and
   * its commit then succeeds without replacing anything.
   */
  write(digest: string, options: T.WriteOptions = {}): BlobWriter {
    const d = Digest.parse(digest);
    checkExpectedSize(options.expectedSize);
    if (this.writers.has(d.toString())) throw new WriteInProgressError(d.toString());
    return this.startWriter(d, options.expectedSize);
  }

  /** Single-flight entry point: a writer for the first caller of a missing blob, else what exists. */
  writeOrJoin(digest: string, options: T.WriteOptions = {}): T.WriteClaim {
    const d = Digest.parse(digest);
    checkExpectedSize(options.expectedSize);
    const key = d.toString();
    const entry = this.index.get(key);
    if (entry) return { role: 'present', size: entry.size };
    const progress = this.inProgress(key);
    if (progress) return { role: 'follower', progress };
    return { role: 'writer', writer: this.startWriter(d, options.expectedSize) };
  }

  /** Progress of the write in progress for a digest, or undefined. */
  inProgress(digest: string): T.WriteProgress | undefined {
    const w = this.writers.get(Digest.parse(digest).toString());
    if (!w) return undefined;
    return w.expectedSize === undefined ? { bytesWritten: w.bytesWritten } : { bytesWritten: w.bytesWritten, expectedSize: w.expectedSize };
  }

  /** Deletes a committed blob (open readers keep their bytes); false if it was not stored. */
  async delete(digest: string): Promise<boolean> {
    const key = Digest.parse(digest).toString();
    if (!this.index.get(key)) return false;
    await this.removeBlob(key, 'deleted');
    return true;
  }

  /** Current counters. */
  stats(): T.BlobStoreStats {
    return { entries: this.index.count, bytes: this.index.bytes, maxBytes: this.limits.maxBytes, inProgress: this.writers.size, reservedBytes: this.reservedBytes() };
  }

  /** Every committed blob (a snapshot, least recently used first), for announcing to the index. */
  async *list(): AsyncIterable<T.BlobStat> {
    for (const { digest, size } of [...this.index.oldestFirst()]) yield { digest, size };
  }

  /** fsck: re-hashes every committed blob, one at a time, and removes missing or corrupt ones. */
  async verifyAll(): Promise<T.VerifyReport> {
    const report: T.VerifyReport = { checked: 0, removed: [] };
    for (const { digest, size } of [...this.index.oldestFirst()]) {
      if (!this.index.get(digest)) continue;
      const d = Digest.parse(digest);
      this.index.pin(digest);
      const actual = await hashFile(this.layout.blobPath(d), d.algorithm).catch(() => undefined);
      this.index.unpin(digest);
      report.checked++;
      if (actual?.hex === d.hex && actual.size === size) continue;
      await this.removeBlob(digest, actual ? 'corrupt' : 'missing');
      report.removed.push(digest);
    }
    return report;
  }

  /** Aborts every write in progress (deleting their temp files) and waits for pending unlinks. */
  async close(): Promise<void> {
    await Promise.all([...this.writers.values()].map((w) => w.abort(new Error('blob store closed'))));
    await Promise.all(this.deletions.values());
  }

  private startWriter(d: Digest, expectedSize: number | undefined): BlobWriter {
    const key = d.toString();
    const writer: BlobWriter = new BlobWriter(d, this.layout.newTempPath(), expectedSize, {
      publish: (tempPath, size) => this.publish(d, tempPath, size),
      settled: () => {
        if (this.writers.get(key) === writer) this.writers.delete(key);
        this.evictIfNeeded();
      },
    });
    this.writers.set(key, writer);
    // The new reservation may push usage over the high watermark.
    this.evictIfNeeded();
    return writer;
  }

  private async publish(d: Digest, tempPath: string, size: number): Promise<void> {
    const key = d.toString();
    await this.deletions.get(key);
    if (this.index.get(key)) {
      await rm(tempPath, { force: true });
      return;
    }
    // The mtime is the persisted access time: set it from our clock so index and disk agree.
    const nowMs = this.now();
    await utimes(tempPath, nowMs / 1000, nowMs / 1000);
    // No directory fsync: a crash may lose the rename, never its content; the blob is refetched.
    await rename(tempPath, this.layout.blobPath(d));
    this.index.add(key, size, nowMs);
    this.announce('added', key, size);
  }

  private reservedBytes(): number {
    let reserved = 0;
    for (const w of this.writers.values()) reserved += Math.max(w.expectedSize ?? 0, w.bytesWritten);
    return reserved;
  }

  private evictIfNeeded(): void {
    const used = this.index.bytes + this.reservedBytes();
    const victims = chooseEvictions(this.index.oldestFirst(), (k) => this.index.isPinned(k), used, this.limits);
    for (const v of victims) void this.removeBlob(v.digest, 'evicted');
  }

  /** Forgets the blob at once (so nobody new opens it), then unlinks it and announces the removal. */
  private removeBlob(key: string, reason: T.RemovalReason): Promise<void> {
    if (!this.index.remove(key)) return this.deletions.get(key) ?? Promise.resolve();
    const unlinked: Promise<void> = rm(this.layout.blobPath(Digest.parse(key)), { force: true })
      .catch(() => undefined)
      .then(() => {
        if (this.deletions.get(key) === unlinked) this.deletions.delete(key);
        this.announce('removed', key, reason);
      });
    this.deletions.set(key, unlinked);
    return unlinked;
  }

  /** Moves a blob to the back of the LRU queue and mirrors that to its mtime for the next open. */
  private async touch(key: string): Promise<void> {
    const nowMs = this.now();
    if (!this.index.touch(key, nowMs)) return;
    const t = nowMs / 1000;
    await utimes(this.layout.blobPath(Digest.parse(key)), t, t).catch(() => undefined);
  }

  // A throwing listener is a bug in the listener; it must not leave the store half-updated.
  private announce<K extends keyof T.BlobStoreEvents>(event: K, ...args: T.BlobStoreEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: T.BlobStoreEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      process.nextTick(() => {
        throw err;
      });
    }
  }
}
