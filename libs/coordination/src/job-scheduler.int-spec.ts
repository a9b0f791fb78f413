import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { connectNats, decodeJson, encodeJson, NatsConfig, NatsRpcClient } from '@accelerboat/nats-transport';
import { createRedis, RedisConfig, type Redis } from '@accelerboat/redis-client';
import { Endpoints, Events, subjectFor, type AssignJobRequest, type EventEnvelope } from '@accelerboat/registry-protocol';
import { startNatsServer, startRedisServer, type NatsServer, type RedisServer } from '@accelerboat/testing';
import { NatsEventSink } from './event-sink.js';
import { digestFixture } from './job-store.conformance.js';
import { JobScheduler } from './job-scheduler.js';
import { RedisJobStore } from './redis-job-store.js';
import { RedisSingleFlight } from './redis-single-flight.js';
import { SeederClient } from './seeder.client.js';
import { SeederRegistry } from './seeder-registry.js';
import { InProcessSingleFlight } from './single-flight.js';

type Nats = Awaited<ReturnType<typeof connectNats>>;
type Behaviour = 'accept' | 'refuse' | 'silent';
const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** A seeder reduced to its job-assign endpoint: a plain subscription on its own subject. */
class FakeSeeder {
  behaviour: Behaviour = 'accept';
  readonly received: AssignJobRequest[] = [];
  constructor(
    readonly id: string,
    nc: Nats,
  ) {
    nc.subscribe(subjectFor(Endpoints.jobAssign.subject, { seeder: id }), {
      callback: (_err, msg) => {
        const req = decodeJson(msg.data) as AssignJobRequest;
        this.received.push(req);
        if (this.behaviour === 'silent') return;
        msg.respond(encodeJson({ jobId: req.jobId, seederId: id, accepted: this.behaviour === 'accept', url: this.url, ...(this.behaviour === 'refuse' ? { reason: 'full' } : {}) }));
      },
    });
  }
  get url(): string {
    return `http://${this.id}.example:5083`;
  }
}

const request = (digest = digestFixture()) => ({ digest, size: 42, registry: 'registry-1.docker.io', repository: 'library/alpine', authorization: 'Bearer s3cret' });

describe('JobScheduler (real Redis and NATS, two coordinator replicas)', () => {
  let redisServer: RedisServer;
  let natsServer: NatsServer;
  const redis: Redis[] = [];
  const conns: Nats[] = [];
  let seederConn: Nats;
  let a: FakeSeeder;
  let b: FakeSeeder;
  let registry: SeederRegistry;
  let replicas: JobScheduler[];
  const events: EventEnvelope<{ jobId: string; seederId: string }>[] = [];

  const beat = (s: FakeSeeder, activeJobs = 0): Promise<void> => registry.heartbeat({ seederId: s.id, url: s.url, activeJobs, maxJobs: 4, load: activeJobs / 4 });

  before(async () => {
    [redisServer, natsServer] = await Promise.all([startRedisServer(), startNatsServer()]);
    const natsConfig = Object.assign(new NatsConfig(), { servers: natsServer.url });
    for (const i of [0, 1]) {
      const r = createRedis(Object.assign(new RedisConfig(), { url: redisServer.url }), `replica-${i}`);
      await new Promise((ok) => r.once('ready', ok));
      redis.push(r);
      conns.push(await connectNats(natsConfig, { name: `replica-${i}`, logger: quiet }));
    }
    seederConn = await connectNats(natsConfig, { name: 'seeders', logger: quiet });
    seederConn.subscribe(Events.jobAssigned, { callback: (_e, m) => events.push(decodeJson(m.data) as (typeof events)[number]) });
    a = new FakeSeeder('seeder-a', seederConn);
    b = new FakeSeeder('seeder-b', seederConn);
    await seederConn.flush();
  });
  after(async () => {
    for (const nc of [...conns, seederConn]) await nc?.close();
    for (const r of redis) r.disconnect();
    await Promise.all([redisServer?.stop(), natsServer?.stop()]);
  });
  beforeEach(async () => {
    await redis[0]!.flushdb();
    a.behaviour = b.behaviour = 'accept';
    a.received.length = b.received.length = 0;
    registry = new SeederRegistry(redis[0]!, 1);
    replicas = [0, 1].map((i) => {
      const rpc = new NatsRpcClient(conns[i]!, { timeoutMs: 2000 });
      return new JobScheduler(new RedisJobStore(redis[i]!), new SeederRegistry(redis[i]!, 1), new SeederClient(rpc), {
        assignTimeoutMs: 300,
        sweepLockMs: 100,
        singleFlight: new InProcessSingleFlight(new RedisSingleFlight(redis[i]!)),
        events: new NatsEventSink(rpc, { service: 'master-coordinator', instance: `replica-${i}` }),
      });
    });
  });

  it('gives the job to the less loaded seeder, which gets the request over its own subject', async () => {
    await beat(a, 2);
    await beat(b, 0);
    const req = request();
    const ticket = await replicas[0]!.ensureJob(req);
    assert.deepEqual(ticket, { jobId: ticket?.jobId, seederId: 'seeder-b', url: b.url });
    assert.deepEqual(b.received, [{ jobId: ticket?.jobId, digest: req.digest, registry: req.registry, repository: req.repository, size: 42, authorization: 'Bearer s3cret' }]);
    assert.equal(a.received.length, 0);
    await delay(50);
    assert.ok(events.some((e) => e.type === 'job.assigned' && e.data.jobId === ticket?.jobId && !JSON.stringify(e).includes('s3cret')));
  });

  it('creates one job when both replicas are asked for the same digest at once', async () => {
    await beat(a);
    await beat(b);
    const req = request();
    const tickets = await Promise.all(Array.from({ length: 20 }, (_, i) => replicas[i % 2]!.ensureJob(req)));
    assert.ok(tickets[0]);
    assert.ok(tickets.every((t) => t?.jobId === tickets[0]!.jobId && t.seederId === tickets[0]!.seederId));
    assert.equal(a.received.length + b.received.length, 1);
  });

  it('keeps one job per digest even without convergence in front (digest binding)', async () => {
    await beat(a);
    await beat(b);
    const bare = [0, 1].map((i) => new JobScheduler(new RedisJobStore(redis[i]!), registry, new SeederClient(new NatsRpcClient(conns[i]!, { timeoutMs: 2000 }))));
    const req = request();
    const tickets = await Promise.all(Array.from({ length: 10 }, (_, i) => bare[i % 2]!.ensureJob(req)));
    assert.ok(tickets.every((t) => t && t.jobId === tickets[0]?.jobId));
    assert.equal(a.received.length + b.received.length, 1);
  });

  it('gives the job to the next seeder when the first refuses or stays silent', async () => {
    await beat(a, 0);
    await beat(b, 1);
    a.behaviour = 'refuse';
    assert.equal((await replicas[0]!.ensureJob(request()))?.seederId, 'seeder-b');
    a.behaviour = 'silent';
    assert.equal((await replicas[1]!.ensureJob(request()))?.seederId, 'seeder-b');
    a.behaviour = b.behaviour = 'refuse';
    assert.equal(await replicas[0]!.ensureJob(request()), undefined);
  });

  it('moves a running job to a live seeder when its seeder stops beating', async () => {
    await beat(a, 0);
    await beat(b, 3);
    const req = request();
    const t = (await replicas[0]!.ensureJob(req))!;
    assert.equal(t.seederId, 'seeder-a');
    assert.equal(await replicas[1]!.progress({ jobId: t.jobId, seederId: 'seeder-a', digest: req.digest, bytes: 10, total: 42 }), true);
    // seeder-a dies: only seeder-b keeps beating until a's heartbeat key expires.
    for (let i = 0; i < 6; i++) {
      await beat(b, 3);
      await delay(250);
    }
    const swept = await replicas[1]!.sweep();
    assert.deepEqual(swept, { swept: true, reassigned: 1, failed: 0 });
    assert.deepEqual(b.received.at(-1), { jobId: t.jobId, digest: req.digest, registry: req.registry, repository: req.repository, size: 42, authorization: 'Bearer s3cret' });
    const [job] = await replicas[0]!.listJobs();
    assert.deepEqual([job?.jobId, job?.seederId, job?.status, job?.attempts], [t.jobId, 'seeder-b', 'assigned', 2]);
    assert.equal((await replicas[0]!.ensureJob(req))?.seederId, 'seeder-b');
  });

  it('releases the digest when the seeder completes, so the index answers from then on', async () => {
    await beat(a);
    const req = request();
    const t = (await replicas[0]!.ensureJob(req))!;
    assert.equal(await replicas[1]!.complete({ jobId: t.jobId, seederId: t.seederId, digest: req.digest, size: 42 }), true);
    const store = new RedisJobStore(redis[0]!);
    assert.equal(await store.jobOf(req.digest), undefined);
    assert.equal(await store.authorization(t.jobId), undefined, 'the credential is gone with the job');
    assert.equal((await replicas[0]!.listJobs())[0]?.status, 'completed');
  });
});
