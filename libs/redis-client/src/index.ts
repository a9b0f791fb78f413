export { RedisConfig } from './redis.config.js';
export { createRedis, isRedisReady, REDIS, type Redis } from './create-redis.js';
