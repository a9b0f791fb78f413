/** Size limits of a store, as given to `FsBlobStore.open`. */
export interface CapacityLimits {
  /** Disk budget for committed blobs plus reserved in-progress writes, in bytes. */
  maxBytes: number;
  /** Fraction of maxBytes above which eviction starts, e.g. 0.9. */
  highWatermark: number;
  /** Fraction of maxBytes eviction brings usage down to, e.g. 0.75. */
  lowWatermark: number;
}

/** A committed blob as eviction sees it. */
export interface EvictionCandidate {
  /** Canonical digest. */
  readonly digest: string;
  /** Size in bytes. */
  readonly size: number;
}

/** Throws a RangeError naming the first limit that makes no sense. */
export function checkLimits(limits: CapacityLimits): void {
  const { maxBytes, highWatermark, lowWatermark } = limits;
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) throw new RangeError(`maxBytes must be a positive integer, got ${maxBytes}`);
  if (!(highWatermark > 0 && highWatermark <= 1)) throw new RangeError(`highWatermark must be in (0, 1], got ${highWatermark}`);
  if (!(lowWatermark > 0 && lowWatermark <= highWatermark)) {
    throw new RangeError(`lowWatermark must be in (0, highWatermark], got ${lowWatermark}`);
  }
}

/**
 * Picks the blobs to evict. Nothing happens until usage (committed bytes plus space reserved for
 * in-progress writes) exceeds the high watermark; then least-recently-used, unpinned blobs go until
 * usage is at or below the low watermark. The gap between the two marks keeps the store from
 * evicting one blob per commit once it is full. If pinned blobs block the way, it evicts what it
 * can and stops: a reader is never cut off to free space.
 */
export function chooseEvictions(
  oldestFirst: Iterable<EvictionCandidate>,
  isPinned: (digest: string) => boolean,
  usedBytes: number,
  limits: CapacityLimits,
): EvictionCandidate[] {
  if (usedBytes <= limits.highWatermark * limits.maxBytes) return [];
  const target = limits.lowWatermark * limits.maxBytes;
  const victims: EvictionCandidate[] = [];
  let used = usedBytes;
  for (const entry of oldestFirst) {
    if (used <= target) break;
    if (isPinned(entry.digest)) continue;
    victims.push(entry);
    used -= entry.size;
  }
  return victims;
}
