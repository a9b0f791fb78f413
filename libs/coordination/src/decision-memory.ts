import type { Redis } from '@accelerboat/redis-client';
import type { Clock } from './clock.js';

/**
 * Where positive access decisions are remembered past their cache life, for the grace period in
 * which they may stand in for an upstream that cannot be asked. Keys are already fingerprinted.
 */
export interface DecisionMemory {
  /** Remembers that `key` was allowed, for `ttlMs` from now. */
  remember(key: string, ttlMs: number): Promise<void>;
  /** True while a positive decision for `key` is remembered. */
  recall(key: string): Promise<boolean>;
  /** Drops the decision for `key` (the upstream has since said no). */
  forget(key: string): Promise<void>;
}

const graceKey = (key: string): string => `access-grace:${key}`;

/** DecisionMemory in Redis, shared by the replicas: `access-grace:<key>` with a PX expiry. */
export class RedisDecisionMemory implements DecisionMemory {
  constructor(private readonly redis: Redis) {}

  async remember(key: string, ttlMs: number): Promise<void> {
    if (ttlMs > 0) await this.redis.set(graceKey(key), '1', 'PX', Math.round(ttlMs));
  }

  async recall(key: string): Promise<boolean> {
    return (await this.redis.exists(graceKey(key))) === 1;
  }

  async forget(key: string): Promise<void> {
    await this.redis.del(graceKey(key));
  }
}

/** DecisionMemory in process memory on an injectable clock: the fake of the unit tests. */
export class MemoryDecisionMemory implements DecisionMemory {
  private readonly until = new Map<string, number>();

  constructor(private readonly clock: Pick<Clock, 'now'>) {}

  async remember(key: string, ttlMs: number): Promise<void> {
    if (ttlMs > 0) this.until.set(key, this.clock.now() + ttlMs);
  }

  async recall(key: string): Promise<boolean> {
    const until = this.until.get(key);
    if (until !== undefined && until <= this.clock.now()) this.until.delete(key);
    return until !== undefined && until > this.clock.now();
  }

  async forget(key: string): Promise<void> {
    this.until.delete(key);
  }
}
