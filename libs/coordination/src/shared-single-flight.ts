import { createHash, randomUUID } from 'node:crypto';
import { ProtocolError } from '@accelerboat/registry-protocol';
import { isAbort, systemClock, type Clock } from './clock.js';
import type { FlightOutcome, FlightStore } from './flight-store.js';
import type { SingleFlight, SingleFlightOptions } from './single-flight.js';

/** Why a caller ran the work itself instead of converging. */
export type FlightFallback = 'store-unavailable' | 'wait-exceeded';

/** Tuning of SharedSingleFlight; the defaults suit NATS request deadlines of a few seconds. */
export interface SharedSingleFlightOptions {
  clock?: Clock;
  /** First pause between polls of a busy key. */
  pollMinMs?: number;
  /** Longest pause between polls (also capped at half of the result and error TTLs). */
  pollMaxMs?: number;
  /** How long a failure is shared with waiters; short, so a retry soon after runs again. */
  errorTtlMs?: number;
  /** Told whenever a caller runs the work itself; for logs and metrics. */
  onFallback?: (reason: FlightFallback, error?: unknown) => void;
  /** Told when the store failed after the work ran (result not shared, lock left to expire). */
  onStoreError?: (error: unknown) => void;
}

// Keys longer than this are hashed: Redis keys stay short, and a caller that forgot to
// fingerprint part of a key does not spell it out in Redis either.
const KEY_MAX = 120;

/** The store key of a flight: the caller's key when short and printable, else its sha256. */
export function flightKey(key: string): string {
  if (key.length <= KEY_MAX && /^[\x21-\x7e]+$/.test(key)) return key;
  return `sha256:${createHash('sha256').update(key).digest('base64url')}`;
}

/**
 * Single flight across processes over a FlightStore. The first caller takes a lock (renewed while
 * its work runs) and stores the outcome; the others poll for it with a short capped backoff. A
 * lock whose owner died expires and the next poll takes it over. When the store fails, or the
 * wait passes `waitMs`, the caller runs the work itself: convergence never becomes a failure.
 */
export class SharedSingleFlight implements SingleFlight {
  private readonly clock: Clock;
  private readonly pollMinMs: number;
  private readonly pollMaxMs: number;
  private readonly errorTtlMs: number;

  constructor(
    private readonly store: FlightStore,
    private readonly options: SharedSingleFlightOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.pollMinMs = options.pollMinMs ?? 10;
    this.pollMaxMs = options.pollMaxMs ?? 200;
    this.errorTtlMs = options.errorTtlMs ?? 1000;
  }

  async run<T>(key: string, opts: SingleFlightOptions<T>, fn: () => Promise<T>): Promise<T> {
    const k = flightKey(key);
    const token = randomUUID();
    const deadline = this.clock.now() + opts.waitMs;
    // Polls never sleep past half a result's life, so a waiter cannot miss a stored outcome.
    const cap = Math.max(1, Math.min(this.pollMaxMs, opts.resultTtlMs / 2, this.errorTtlMs / 2));
    let pause = Math.min(this.pollMinMs, cap);
    for (;;) {
      let entry;
      try {
        entry = await this.store.enter(k, token, opts.lockTtlMs);
      } catch (e) {
        this.options.onFallback?.('store-unavailable', e);
        return fn();
      }
      if (entry.state === 'done') return unpack<T>(entry.outcome);
      if (entry.state === 'owner') return this.own(k, token, opts, fn);
      const left = deadline - this.clock.now();
      if (left <= 0) {
        this.options.onFallback?.('wait-exceeded');
        return fn();
      }
      // Waking just after the lock expires makes the takeover of a dead owner's flight prompt.
      await this.clock.sleep(Math.max(1, Math.min(pause, left, entry.lockTtlLeftMs + 1)));
      pause = Math.min(cap, pause * 2);
    }
  }

  private async own<T>(key: string, token: string, opts: SingleFlightOptions<T>, fn: () => Promise<T>): Promise<T> {
    const stop = new AbortController();
    void this.keepLock(key, token, opts.lockTtlMs, stop.signal);
    let value: T;
    let ttlMs: number;
    try {
      value = await fn();
      ttlMs = opts.resultTtlOf ? opts.resultTtlOf(value) : opts.resultTtlMs;
    } catch (e) {
      stop.abort();
      await this.settle(key, token, { ok: false, error: shareable(e) }, this.errorTtlMs);
      throw e;
    }
    stop.abort();
    await this.settle(key, token, { ok: true, value }, Number.isFinite(ttlMs) ? Math.max(0, ttlMs) : 0);
    return value;
  }

  /** Renews the lock at a third of its life while the work runs, so slow work is not duplicated. */
  private async keepLock(key: string, token: string, lockTtlMs: number, signal: AbortSignal): Promise<void> {
    const every = Math.max(1, Math.floor(lockTtlMs / 3));
    for (;;) {
      try {
        await this.clock.sleep(every, signal);
        if (!(await this.store.renew(key, token, lockTtlMs))) return;
      } catch (e) {
        if (!isAbort(e)) this.options.onStoreError?.(e);
        return;
      }
    }
  }

  private async settle(key: string, token: string, outcome: FlightOutcome, ttlMs: number): Promise<void> {
    try {
      await this.store.settle(key, token, outcome, ttlMs);
    } catch (e) {
      // The work is done and its caller gets the outcome; waiters fall back on their own.
      this.options.onStoreError?.(e);
    }
  }
}

/** A failure as waiters may see it: protocol codes pass, anything else becomes INTERNAL. */
function shareable(e: unknown): { code: ProtocolError['code']; message: string } {
  if (ProtocolError.is(e)) return { code: e.code, message: e.message };
  // Arbitrary error messages may carry details (URLs, headers) that must not cross processes.
  return { code: 'INTERNAL', message: 'the shared call failed' };
}

function unpack<T>(outcome: FlightOutcome): T {
  if (outcome.ok) return outcome.value as T;
  throw new ProtocolError(outcome.error.code, outcome.error.message);
}
