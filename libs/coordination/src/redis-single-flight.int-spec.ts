import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { createRedis, RedisConfig, type Redis } from '@accelerboat/redis-client';
import { ProtocolError } from '@accelerboat/registry-protocol';
import { startRedisServer, type RedisServer } from '@accelerboat/testing';
import { RedisSingleFlight } from './redis-single-flight.js';
import type { FlightFallback } from './shared-single-flight.js';

const PREFIX = `t${process.pid}:`;

async function client(url: string, name: string): Promise<Redis> {
  const redis = createRedis(Object.assign(new RedisConfig(), { url, keyPrefix: PREFIX }), name);
  redis.on('error', () => undefined);
  await new Promise((r) => redis.once('ready', r));
  return redis;
}

describe('RedisSingleFlight (real Redis, one client per simulated replica)', () => {
  let server: RedisServer;
  let clients: Redis[];
  let replicas: RedisSingleFlight[];
  before(async () => {
    server = await startRedisServer();
    clients = await Promise.all([0, 1, 2].map((i) => client(server.url, `replica-${i}`)));
    replicas = clients.map((c) => new RedisSingleFlight(c));
  });
  after(async () => {
    for (const c of clients) c.disconnect();
    await server.stop();
  });

  it('runs the work exactly once for 50 concurrent calls across 3 replicas', async () => {
    let calls = 0;
    const work = async (): Promise<{ digest: string }> => {
      calls++;
      await delay(150);
      return { digest: 'sha256:abc' };
    };
    const opts = { resultTtlMs: 2000, lockTtlMs: 1000, waitMs: 5000 };
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => replicas[i % 3]!.run('once', opts, work)));
    assert.equal(calls, 1);
    assert.ok(results.every((r) => r.digest === 'sha256:abc'));
  });

  it('keeps its keys under the client key prefix and releases the lock when done', async () => {
    await replicas[0]!.run('prefixed', { resultTtlMs: 2000, lockTtlMs: 1000, waitMs: 1000 }, async () => 1);
    const raw = clients[0]!.duplicate({ keyPrefix: '' });
    await new Promise((r) => raw.once('ready', r));
    try {
      assert.equal(await raw.exists(`${PREFIX}sf:prefixed:result`), 1);
      assert.equal(await raw.exists(`${PREFIX}sf:prefixed:lock`), 0);
    } finally {
      raw.disconnect();
    }
  });

  it('lets a waiter take over after the owner crashed and its lock expired', async () => {
    const doomed = await client(server.url, 'doomed');
    const owner = new RedisSingleFlight(doomed);
    const opts = { resultTtlMs: 2000, lockTtlMs: 400, waitMs: 10_000 };
    let started!: () => void;
    const ownerStarted = new Promise<void>((r) => (started = r));
    void owner.run('crash', opts, () => (started(), new Promise<number>(() => undefined)));
    await ownerStarted;
    doomed.disconnect(); // the process dies: no renewals, no result, the lock just expires
    const t0 = Date.now();
    let calls = 0;
    const taken = await Promise.all([1, 2].map((i) => replicas[i]!.run('crash', opts, async () => (calls++, delay(50).then(() => 7)))));
    assert.deepEqual(taken, [7, 7]);
    assert.equal(calls, 1, 'one waiter takes over, the other waits for it');
    assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
  });

  it('shares the owner failure across replicas with the same code', async () => {
    const opts = { resultTtlMs: 2000, lockTtlMs: 1000, waitMs: 5000 };
    let calls = 0;
    const fail = async (): Promise<number> => {
      calls++;
      await delay(100);
      throw new ProtocolError('FORBIDDEN', 'denied upstream');
    };
    await Promise.all([0, 1, 2].map((i) => assert.rejects(replicas[i]!.run('fails', opts, fail), (e) => ProtocolError.is(e, 'FORBIDDEN'))));
    assert.equal(calls, 1);
  });

  it('expires results after resultTtlMs', async () => {
    let calls = 0;
    const opts = { resultTtlMs: 300, lockTtlMs: 1000, waitMs: 1000 };
    const work = async (): Promise<number> => ++calls;
    assert.equal(await replicas[0]!.run('ttl', opts, work), 1);
    assert.equal(await replicas[1]!.run('ttl', opts, work), 1);
    await delay(400);
    assert.equal(await replicas[2]!.run('ttl', opts, work), 2);
  });

  it('still runs the work, promptly, when Redis is gone', async () => {
    const lonely = await startRedisServer();
    const c = await client(lonely.url, 'lonely');
    const fallbacks: FlightFallback[] = [];
    const sf = new RedisSingleFlight(c, { onFallback: (r) => fallbacks.push(r) });
    try {
      await lonely.stop();
      await delay(100);
      const t0 = Date.now();
      assert.equal(await sf.run('down', { resultTtlMs: 1000, lockTtlMs: 1000, waitMs: 5000 }, async () => 'direct'), 'direct');
      assert.ok(Date.now() - t0 < 1500, `took ${Date.now() - t0} ms`);
      assert.deepEqual(fallbacks, ['store-unavailable']);
    } finally {
      c.disconnect();
    }
  });
});
