/*
 * Registry bearer tokens, cached per (registry, service, scopes, credential fingerprint) so that
 * one caller's token is never used for another (the original shared them across callers), and
 * expired by the token's own `expires_in` (the original kept tokens without one forever).
 */

/** Milliseconds since the epoch; injectable so tests can move time. */
export type Clock = () => number;

/** What a token was issued for. */
export interface TokenKey {
  /** Normalised registry host. */
  registry: string;
  /** The challenge's `service` (empty when it named none). */
  service: string;
  /** Scopes asked for; order does not matter. */
  scopes: readonly string[];
  /** {@link fingerprint} of the credential the token was fetched with. */
  credential: string;
}

/** A cached token. SECRET: never log `token`. */
export interface CachedToken {
  token: string;
  /** When the cache stops handing it out, ms since the epoch (before the registry's expiry). */
  expiresAt: number;
}

/** Options of {@link TokenCache}. */
export interface TokenCacheOptions {
  clock?: Clock;
  /** Most entries kept; the least recently used go first (default 10,000). */
  maxEntries?: number;
}

/** Lifetime when the registry gives no `expires_in` (the token spec's default, 60 s). */
export const DEFAULT_TOKEN_TTL_SECONDS = 60;
/** Longest safety margin: a token is dropped up to this long before the registry's expiry. */
export const TOKEN_SAFETY_MARGIN_SECONDS = 10;
/** Longest lifetime honoured (a year), so a hostile `expires_in` cannot pin a token forever. */
export const TOKEN_MAX_TTL_SECONDS = 366 * 24 * 3600;

/**
 * A size-bounded LRU of bearer tokens. An entry lives until `expires_in` minus a margin of 10%
 * (at most 10 s), so a token is never sent in the last moments of its validity, when clock skew
 * or a slow request would make the registry refuse it.
 */
export class TokenCache {
  private readonly entries = new Map<string, CachedToken>();
  private readonly clock: Clock;
  private readonly maxEntries: number;

  constructor(options: TokenCacheOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.maxEntries = Math.max(1, options.maxEntries ?? 10_000);
  }

  /** The cache key of a token: scopes sorted and deduplicated, parts JSON-encoded (unambiguous). */
  static key(k: TokenKey): string {
    return JSON.stringify([k.registry, k.service, [...new Set(k.scopes)].sort(), k.credential]);
  }

  /** The live token for this key, or undefined (expired entries are dropped on the way). */
  get(k: TokenKey): CachedToken | undefined {
    const key = TokenCache.key(k);
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expiresAt <= this.clock()) {
      this.entries.delete(key);
      return undefined;
    }
    // Re-insert to mark it most recently used (Map keeps insertion order).
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit;
  }

  /**
   * Caches a token for `expiresInSeconds` (the reply's `expires_in`; 60 when absent or not a
   * positive number) minus the safety margin. Returns the entry.
   */
  set(k: TokenKey, token: string, expiresInSeconds?: number): CachedToken {
    const ttl = ttlSeconds(expiresInSeconds);
    const margin = Math.min(TOKEN_SAFETY_MARGIN_SECONDS, ttl / 10);
    const entry = { token, expiresAt: this.clock() + (ttl - margin) * 1000 };
    const key = TokenCache.key(k);
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return entry;
  }

  /** Forgets a token (e.g. the registry refused it before its expiry). */
  delete(k: TokenKey): void {
    this.entries.delete(TokenCache.key(k));
  }

  /** Number of entries, expired ones not yet dropped included. */
  get size(): number {
    return this.entries.size;
  }
}

function ttlSeconds(expiresIn: number | undefined): number {
  if (expiresIn === undefined || !Number.isFinite(expiresIn) || expiresIn <= 0) return DEFAULT_TOKEN_TTL_SECONDS;
  return Math.min(expiresIn, TOKEN_MAX_TTL_SECONDS);
}
