import type { ErrorCode } from '@accelerboat/registry-protocol';
import type { Clock } from './clock.js';

/** What the owner of a flight left for the others: its value, or the code of its failure. */
export type FlightOutcome = { ok: true; value: unknown } | { ok: false; error: { code: ErrorCode; message: string } };

/** The state of a key as one caller finds it. */
export type FlightEntry =
  | { state: 'done'; outcome: FlightOutcome }
  | { state: 'owner' }
  | { state: 'busy'; lockTtlLeftMs: number };

/**
 * Where flights meet: a result slot and an owner lock per key. Every method is one atomic step,
 * so that two replicas never both become the owner of a live flight.
 */
export interface FlightStore {
  /** Returns the stored outcome; without one, takes the lock for `token`, or reports it busy. */
  enter(key: string, token: string, lockTtlMs: number): Promise<FlightEntry>;
  /** Stores the outcome for `ttlMs` (nothing when 0) and releases the lock if `token` holds it. */
  settle(key: string, token: string, outcome: FlightOutcome, ttlMs: number): Promise<void>;
  /** Extends the lock while `token` still holds it; false once it was lost. */
  renew(key: string, token: string, lockTtlMs: number): Promise<boolean>;
}

interface Slot<T> {
  value: T;
  expiresAt: number;
}

/** FlightStore in process memory, on an injectable clock: the fake the unit tests run against. */
export class MemoryFlightStore implements FlightStore {
  private readonly results = new Map<string, Slot<FlightOutcome>>();
  private readonly locks = new Map<string, Slot<string>>();

  constructor(private readonly clock: Pick<Clock, 'now'>) {}

  async enter(key: string, token: string, lockTtlMs: number): Promise<FlightEntry> {
    const result = this.live(this.results, key);
    if (result) return { state: 'done', outcome: structuredClone(result.value) };
    const lock = this.live(this.locks, key);
    if (lock) return { state: 'busy', lockTtlLeftMs: lock.expiresAt - this.clock.now() };
    this.locks.set(key, { value: token, expiresAt: this.clock.now() + lockTtlMs });
    return { state: 'owner' };
  }

  async settle(key: string, token: string, outcome: FlightOutcome, ttlMs: number): Promise<void> {
    if (ttlMs > 0) this.results.set(key, { value: structuredClone(outcome), expiresAt: this.clock.now() + ttlMs });
    if (this.live(this.locks, key)?.value === token) this.locks.delete(key);
  }

  async renew(key: string, token: string, lockTtlMs: number): Promise<boolean> {
    const lock = this.live(this.locks, key);
    if (lock?.value !== token) return false;
    lock.expiresAt = this.clock.now() + lockTtlMs;
    return true;
  }

  private live<T>(map: Map<string, Slot<T>>, key: string): Slot<T> | undefined {
    const slot = map.get(key);
    if (slot && slot.expiresAt <= this.clock.now()) map.delete(key);
    return slot && slot.expiresAt > this.clock.now() ? slot : undefined;
  }
}
