import { Redis, type RedisOptions } from 'ioredis';
import type { RedisConfig } from './redis.config.js';

export type { Redis } from 'ioredis';

/**
 * The one Redis factory. Commands fail fast while Redis is away (no offline queue), so callers
 * degrade to direct upstream pulls instead of waiting: Redis holds soft state only.
 */
export function createRedis(config: RedisConfig, connectionName: string): Redis {
  const common: RedisOptions = {
    connectionName,
    keyPrefix: config.keyPrefix,
    commandTimeout: config.commandTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    lazyConnect: false,
    retryStrategy: (attempt) => Math.min(2000, 50 * 2 ** Math.min(attempt, 6)),
  };
  if (config.mode === 'sentinel' && config.sentinels) {
    const sentinels = config.sentinels.split(',').map((s) => {
      const [host, port] = s.trim().split(':');
      return { host: host!, port: Number(port ?? 26379) };
    });
    const url = new URL(config.url);
    return new Redis({ ...common, sentinels, name: config.sentinelName, password: decodeURIComponent(url.password) || undefined });
  }
  return new Redis(config.url, common);
}

/** Whether the client is connected and ready for commands. */
export function isRedisReady(redis: Redis): boolean {
  return redis.status === 'ready';
}

/** Injection token of the process's one Redis client. */
export const REDIS = Symbol('REDIS');
