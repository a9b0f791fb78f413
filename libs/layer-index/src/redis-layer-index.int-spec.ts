import { after, before } from 'node:test';
import { startRedisServer, type RedisServer } from '@accelerboat/testing';
import { createRedis, RedisConfig, type Redis } from '@accelerboat/redis-client';
import { layerIndexConformance } from './layer-index.conformance.js';
import { RedisLayerIndex } from './redis-layer-index.js';

let server: RedisServer;
let redis: Redis;
before(async () => {
  server = await startRedisServer();
  redis = createRedis(Object.assign(new RedisConfig(), { url: server.url, keyPrefix: `t${process.pid}:` }), 'layer-index-test');
  await new Promise((r) => redis.once('ready', r));
});
after(async () => {
  redis.disconnect();
  await server.stop();
});

layerIndexConformance('RedisLayerIndex', async (clock) => new RedisLayerIndex(redis, clock.now));
