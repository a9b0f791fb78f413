/** Why a source was put on the blacklist. */
export type BlacklistReason = 'failed' | 'stalled' | 'corrupt';

interface Entry {
  until: number;
  reason: BlacklistReason;
}

/** Options of {@link SourceHealth}. */
export interface SourceHealthOptions {
  /** How long a blacklisted source is avoided (SOURCE_BLACKLIST_MS, default 60 s). */
  blacklistMs?: number;
  /** The clock; injectable so tests can move time by hand. */
  now?: () => number;
}

/**
 * Which sources (peers, seeders) this process avoids for a while because they failed, stalled or
 * served corrupt bytes. One instance is shared by every download of the process, so a source that
 * broke one download is not tried again by the next one (Kraken blacklists for 30 s, Dragonfly
 * keeps a temporary-failure blocklist). Entries expire on their own: a restarted peer comes back.
 */
export class SourceHealth {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  /** How long a blacklisting lasts, in milliseconds. */
  readonly blacklistMs: number;

  constructor(opts: SourceHealthOptions = {}) {
    this.blacklistMs = opts.blacklistMs ?? 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** False while the source is blacklisted. */
  isHealthy(key: string): boolean {
    const e = this.entries.get(key);
    if (!e) return true;
    if (e.until > this.now()) return false;
    this.entries.delete(key);
    return true;
  }

  /**
   * Avoids the source for `blacklistMs` from now. Returns true when it was healthy before, so the
   * caller reports each blacklisting once rather than once per failed piece.
   */
  blacklist(key: string, reason: BlacklistReason): boolean {
    const fresh = this.isHealthy(key);
    // A stall noticed later must not hide that the source once served corrupt bytes.
    const kept = this.entries.get(key)?.reason === 'corrupt' ? 'corrupt' : reason;
    this.entries.set(key, { until: this.now() + this.blacklistMs, reason: kept });
    return fresh;
  }

  /** Why the source is blacklisted, or undefined when it is healthy. */
  reason(key: string): BlacklistReason | undefined {
    return this.isHealthy(key) ? undefined : this.entries.get(key)?.reason;
  }

  /** Number of sources blacklisted right now (for metrics and tests). */
  get size(): number {
    for (const key of [...this.entries.keys()]) this.isHealthy(key);
    return this.entries.size;
  }
}
