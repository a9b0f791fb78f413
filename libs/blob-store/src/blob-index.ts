/** What the store remembers about one committed blob. */
export interface IndexEntry {
  /** Canonical `algorithm:hex`. */
  readonly digest: string;
  /** Size in bytes. */
  readonly size: number;
  /** Last access, in ms since the epoch (mirrored to the file's mtime so restarts keep the order). */
  lastAccessMs: number;
}

/**
 * The in-memory view of committed blobs plus the pin counts of open readers. A Map keeps insertion
 * order, so re-inserting on every access makes iteration least-recently-used first in O(1) per
 * touch, with no sort at eviction time.
 */
export class BlobIndex {
  private readonly entries = new Map<string, IndexEntry>();
  private readonly pins = new Map<string, number>();
  private totalBytes = 0;

  /** Number of committed blobs. */
  get count(): number {
    return this.entries.size;
  }

  /** Sum of committed blob sizes. */
  get bytes(): number {
    return this.totalBytes;
  }

  /** The entry for a digest, or undefined. */
  get(digest: string): IndexEntry | undefined {
    return this.entries.get(digest);
  }

  /** Records a committed blob as the most recently used one (replacing any previous entry). */
  add(digest: string, size: number, lastAccessMs: number): void {
    this.remove(digest);
    this.entries.set(digest, { digest, size, lastAccessMs });
    this.totalBytes += size;
  }

  /** Marks a blob as just used, moving it to the back of the eviction queue. */
  touch(digest: string, nowMs: number): IndexEntry | undefined {
    const entry = this.entries.get(digest);
    if (!entry) return undefined;
    this.entries.delete(digest);
    entry.lastAccessMs = nowMs;
    this.entries.set(digest, entry);
    return entry;
  }

  /** Forgets a blob; returns its entry if it was known. */
  remove(digest: string): IndexEntry | undefined {
    const entry = this.entries.get(digest);
    if (!entry) return undefined;
    this.entries.delete(digest);
    this.totalBytes -= entry.size;
    return entry;
  }

  /** Entries, least recently used first. */
  oldestFirst(): IterableIterator<IndexEntry> {
    return this.entries.values();
  }

  /** Takes a pin: eviction skips a pinned digest until every pin is released. */
  pin(digest: string): void {
    this.pins.set(digest, (this.pins.get(digest) ?? 0) + 1);
  }

  /** Releases one pin taken with `pin`. */
  unpin(digest: string): void {
    const n = (this.pins.get(digest) ?? 0) - 1;
    if (n > 0) this.pins.set(digest, n);
    else this.pins.delete(digest);
  }

  /** True while at least one reader or follower holds the digest open. */
  isPinned(digest: string): boolean {
    return this.pins.has(digest);
  }
}
