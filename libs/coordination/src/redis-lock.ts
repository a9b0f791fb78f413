import { randomUUID } from 'node:crypto';
import type { Redis } from '@accelerboat/redis-client';
import { LuaScript } from './lua-script.js';

// Compare-and-delete / compare-and-extend: only the holder of the token may release or extend,
// so an owner that outlived its lock cannot remove the lock of whoever took over.
const RELEASE = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`);
const RENEW = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`);

/** Takes `key` for `ttlMs` unless someone holds it; returns the owner token, or undefined. */
export async function acquireLock(redis: Redis, key: string, ttlMs: number, token: string = randomUUID()): Promise<string | undefined> {
  return (await redis.set(key, token, 'PX', Math.max(1, Math.round(ttlMs)), 'NX')) === 'OK' ? token : undefined;
}

/** Releases `key` if `token` still holds it; true when it did. */
export async function releaseLock(redis: Redis, key: string, token: string): Promise<boolean> {
  return Number(await RELEASE.run(redis, [key], [token])) === 1;
}

/** Extends `key` to `ttlMs` if `token` still holds it; false once the lock was lost. */
export async function renewLock(redis: Redis, key: string, token: string, ttlMs: number): Promise<boolean> {
  return Number(await RENEW.run(redis, [key], [token, Math.max(1, Math.round(ttlMs))])) === 1;
}
