import { after, before } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { createRedis, RedisConfig, type Redis } from '@accelerboat/redis-client';
import { startRedisServer, type RedisServer } from '@accelerboat/testing';
import { jobStoreConformance } from './job-store.conformance.js';
import { RedisJobStore } from './redis-job-store.js';

let server: RedisServer;
let redis: Redis;
before(async () => {
  server = await startRedisServer();
  redis = createRedis(Object.assign(new RedisConfig(), { url: server.url, keyPrefix: `t${process.pid}:` }), 'job-store-test');
  await new Promise((r) => redis.once('ready', r));
});
after(async () => {
  redis.disconnect();
  await server.stop();
});

jobStoreConformance('RedisJobStore', async () => {
  // Each test starts from an empty store, so listings only show its own jobs.
  await redis.flushdb();
  return { store: new RedisJobStore(redis), now: () => Date.now(), elapse: (ms) => delay(ms) };
});
