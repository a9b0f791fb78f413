import { isErrorCode } from '@accelerboat/registry-protocol';
import type { Redis } from '@accelerboat/redis-client';
import type { FlightEntry, FlightOutcome, FlightStore } from './flight-store.js';
import { LuaScript } from './lua-script.js';
import { renewLock } from './redis-lock.js';
import { SharedSingleFlight, type SharedSingleFlightOptions } from './shared-single-flight.js';

const resultKey = (key: string): string => `sf:${key}:result`;
const lockKey = (key: string): string => `sf:${key}:lock`;

// One round trip per poll: read the outcome, or take the lock, or report how long it has left.
const ENTER = new LuaScript(`
local r = redis.call('GET', KEYS[1])
if r then return {'done', r} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {'owner'} end
return {'busy', redis.call('PTTL', KEYS[2])}`);

// Store the outcome and release the lock together, so no waiter sees "no result, no lock" and
// runs the work a second time.
const SETTLE = new LuaScript(`
if tonumber(ARGV[3]) > 0 then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1`);

/** FlightStore on Redis: `sf:<key>:result` (outcome JSON, PX) and `sf:<key>:lock` (owner token, PX). */
export class RedisFlightStore implements FlightStore {
  constructor(private readonly redis: Redis) {}

  async enter(key: string, token: string, lockTtlMs: number): Promise<FlightEntry> {
    const reply = (await ENTER.run(this.redis, [resultKey(key), lockKey(key)], [token, Math.max(1, Math.round(lockTtlMs))])) as [string, (string | number)?];
    if (reply[0] === 'owner') return { state: 'owner' };
    if (reply[0] === 'done') {
      const outcome = decode(String(reply[1]));
      // A value we cannot read is treated like a busy key: the caller polls on, then falls back.
      return outcome ? { state: 'done', outcome } : { state: 'busy', lockTtlLeftMs: 0 };
    }
    return { state: 'busy', lockTtlLeftMs: Math.max(0, Number(reply[1] ?? 0)) };
  }

  async settle(key: string, token: string, outcome: FlightOutcome, ttlMs: number): Promise<void> {
    await SETTLE.run(this.redis, [resultKey(key), lockKey(key)], [token, JSON.stringify(outcome), Math.max(0, Math.round(ttlMs))]);
  }

  renew(key: string, token: string, lockTtlMs: number): Promise<boolean> {
    return renewLock(this.redis, lockKey(key), token, lockTtlMs);
  }
}

function decode(raw: string): FlightOutcome | undefined {
  try {
    const o = JSON.parse(raw) as Partial<{ ok: boolean; value: unknown; error: { code: unknown; message: unknown } }>;
    if (o.ok === true) return { ok: true, value: o.value };
    if (o.ok === false && isErrorCode(o.error?.code) && typeof o.error.message === 'string') {
      return { ok: false, error: { code: o.error.code, message: o.error.message } };
    }
  } catch {
    // fall through: unreadable
  }
  return undefined;
}

/**
 * Single flight across coordinator replicas that share one Redis, on the process's one client
 * (waiters poll; no subscriber connection needed). See SharedSingleFlight for the semantics.
 */
export class RedisSingleFlight extends SharedSingleFlight {
  constructor(redis: Redis, options: SharedSingleFlightOptions = {}) {
    super(new RedisFlightStore(redis), options);
  }
}
