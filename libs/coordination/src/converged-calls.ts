import { createHash } from 'node:crypto';
import { ProtocolError } from '@accelerboat/registry-protocol';
import { ignoreConvergence, type ConvergenceKind, type ConvergenceObserver } from './convergence-metrics.js';
import type { SingleFlight } from './single-flight.js';

/** Tuning shared by the token, manifest and access services. */
export interface ConvergedCallsOptions {
  observer?: ConvergenceObserver;
  /**
   * Longest wait for the replica that fetches; past it a caller fetches itself. Keep it at the
   * callers' NATS request deadline: waiting longer is useless, giving up sooner costs upstream calls.
   */
  waitMs?: number;
  /** Life of the fetcher's lock (renewed while it works): how long a crashed fetcher holds others up. */
  lockTtlMs?: number;
}

/**
 * Shortest time a result is kept in the shared store, whatever its own TTL: replicas poll for a
 * result, so one that vanished at once would not converge the requests in flight with it.
 */
export const MIN_SHARE_MS = 1000;

/**
 * The single flight as the convergence services use it: one key per question, results kept for
 * their TTL, and every answer and upstream request counted for the metrics.
 */
export class ConvergedCalls {
  private readonly observer: ConvergenceObserver;
  private readonly waitMs: number;
  private readonly lockTtlMs: number;

  constructor(
    private readonly flight: SingleFlight,
    options: ConvergedCallsOptions = {},
  ) {
    this.observer = options.observer ?? ignoreConvergence;
    this.waitMs = options.waitMs ?? 2000;
    this.lockTtlMs = options.lockTtlMs ?? 3000;
  }

  /**
   * The answer to the question `parts` (already free of secrets: credentials go in as
   * fingerprints), computed once across replicas by `fetch` and reused for `ttl`: milliseconds,
   * or a function of the result for results that know their own life.
   */
  async run<T>(kind: ConvergenceKind, parts: readonly string[], ttl: number | ((value: T) => number), fetch: () => Promise<T>): Promise<T> {
    let fetched = false;
    const work = (): Promise<T> => ((fetched = true), fetch());
    const options =
      typeof ttl === 'number'
        ? { resultTtlMs: Math.max(MIN_SHARE_MS, ttl), lockTtlMs: this.lockTtlMs, waitMs: this.waitMs }
        : { resultTtlMs: MIN_SHARE_MS, resultTtlOf: (v: T) => Math.max(MIN_SHARE_MS, ttl(v)), lockTtlMs: this.lockTtlMs, waitMs: this.waitMs };
    try {
      return await this.flight.run(convergenceKey(kind, parts), options, work);
    } finally {
      this.observer.answered(kind, fetched ? 'upstream' : 'shared');
    }
  }

  /** Makes one upstream request and counts it by outcome. */
  async upstream<T>(kind: ConvergenceKind, call: () => Promise<T>): Promise<T> {
    try {
      const value = await call();
      this.observer.upstreamRequest(kind, 'ok');
      return value;
    } catch (e) {
      this.observer.upstreamRequest(kind, ProtocolError.is(e) ? e.code : 'INTERNAL');
      throw e;
    }
  }
}

/**
 * The single-flight key of a question: its kind and a hash of its parts. JSON keeps the parts
 * unambiguous (no `a|b`+`c` / `a`+`b|c` collisions); the hash keeps Redis keys short and free of
 * registry, repository and fingerprint text.
 */
export function convergenceKey(kind: ConvergenceKind, parts: readonly string[]): string {
  return `${kind}:${createHash('sha256').update(JSON.stringify(parts)).digest('base64url')}`;
}
