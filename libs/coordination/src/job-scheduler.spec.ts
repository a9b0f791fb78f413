import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError, type AssignJobRequest, type AssignJobResponse } from '@accelerboat/registry-protocol';
import { MemoryEventSink } from './event-sink.js';
import { digestFixture } from './job-store.conformance.js';
import { JobScheduler, type JobSchedulerOptions } from './job-scheduler.js';
import { ManualClock } from './manual-clock.fixture.js';
import { MemoryJobStore } from './memory-job-store.js';
import type { SeederAssigner } from './seeder.client.js';
import type { LiveSeeders } from './seeder-placer.js';
import type { SeederStatus } from './seeder-registry.js';

type Answer = 'accept' | 'refuse' | 'fail' | ((req: AssignJobRequest) => Promise<AssignJobResponse>);

/** Seeders as the scheduler sees them: heartbeats and an assign endpoint, both in memory. */
class FakeSeeders implements LiveSeeders, SeederAssigner {
  readonly beats = new Map<string, SeederStatus>();
  readonly answers = new Map<string, Answer>();
  readonly calls: { seederId: string; req: AssignJobRequest }[] = [];

  add(seederId: string, load: Partial<SeederStatus> = {}, answer: Answer = 'accept'): void {
    this.beats.set(seederId, { seederId, url: `http://${seederId}:5083`, activeJobs: 0, maxJobs: 4, load: 0, seenAt: 0, ...load });
    this.answers.set(seederId, answer);
  }

  async live(): Promise<SeederStatus[]> {
    return [...this.beats.values()];
  }

  async assign(seederId: string, req: AssignJobRequest): Promise<AssignJobResponse> {
    this.calls.push({ seederId, req });
    const answer = this.answers.get(seederId) ?? 'fail';
    if (typeof answer === 'function') return answer(req);
    if (answer === 'fail') throw new ProtocolError('TIMEOUT', `no answer from ${seederId}`);
    return { jobId: req.jobId, seederId, accepted: answer === 'accept', url: `http://${seederId}:5083`, ...(answer === 'refuse' ? { reason: 'full' } : {}) };
  }
}

const request = (digest = digestFixture()) => ({ digest, size: 42, registry: 'registry-1.docker.io', repository: 'library/alpine', authorization: 'Bearer s3cret' });

describe('JobScheduler', () => {
  let clock: ManualClock;
  let store: MemoryJobStore;
  let seeders: FakeSeeders;
  let events: MemoryEventSink;
  let scheduler: JobScheduler;
  const make = (extra: JobSchedulerOptions = {}): JobScheduler => new JobScheduler(store, seeders, seeders, { clock, events, ...extra });
  beforeEach(() => {
    clock = new ManualClock();
    store = new MemoryJobStore(clock);
    seeders = new FakeSeeders();
    events = new MemoryEventSink();
    scheduler = make();
  });

  describe('ensureJob', () => {
    it('gives a cold blob to the least busy live seeder with a free slot and answers with it', async () => {
      seeders.add('busy', { activeJobs: 3 });
      seeders.add('full', { activeJobs: 4 });
      seeders.add('draining', { maxJobs: 0 });
      seeders.add('idle', { activeJobs: 1 });
      const req = request();
      const ticket = await scheduler.ensureJob(req);
      assert.deepEqual(ticket, { jobId: ticket?.jobId, seederId: 'idle', url: 'http://idle:5083' });
      assert.deepEqual(seeders.calls[0]?.req, { jobId: ticket?.jobId, digest: req.digest, registry: req.registry, repository: req.repository, size: 42, authorization: 'Bearer s3cret' });
      const [job] = await scheduler.listJobs();
      assert.equal(job?.status, 'assigned');
      assert.equal(job?.attempts, 1);
      assert.ok(!JSON.stringify(job).includes('s3cret'), 'listings never carry the credential');
      assert.deepEqual(events.events.map((e) => e.key), ['jobAssigned']);
      assert.ok(!JSON.stringify(events.events).includes('s3cret'));
    });

    it('spreads a burst over seeders by the jobs it assigned, not only by stale heartbeats', async () => {
      seeders.add('a', { maxJobs: 2 });
      seeders.add('b', { maxJobs: 2, load: 0.5 });
      const got = [];
      for (let i = 0; i < 4; i++) got.push((await scheduler.ensureJob(request()))?.seederId);
      assert.deepEqual(got.sort(), ['a', 'a', 'b', 'b']);
      assert.equal(await scheduler.ensureJob(request()), undefined, 'every slot is taken');
    });

    it('keeps one active job per digest', async () => {
      seeders.add('a');
      const req = request();
      const first = await scheduler.ensureJob(req);
      assert.deepEqual(await make().ensureJob(req), first);
      assert.equal(seeders.calls.length, 1);
    });

    it('tries the next seeder when one refuses or does not answer, and gives up when all did', async () => {
      seeders.add('a', {}, 'refuse');
      seeders.add('b', { load: 0.1 }, 'fail');
      seeders.add('c', { load: 0.2 });
      assert.equal((await scheduler.ensureJob(request()))?.seederId, 'c');
      seeders.answers.set('c', 'refuse');
      const req = request();
      assert.equal(await scheduler.ensureJob(req), undefined);
      assert.equal(await store.jobOf(req.digest), undefined, 'the digest is free for a later try');
      assert.equal((await scheduler.listJobs())[0]?.status, 'failed');
    });

    it('waits for a placement another replica is making and answers with the same seeder', async () => {
      let accept!: () => void;
      seeders.add('a', {}, (req) => new Promise((r) => (accept = () => r({ jobId: req.jobId, seederId: 'a', accepted: true, url: 'http://a:5083' }))));
      const req = request();
      const first = scheduler.ensureJob(req);
      await clock.advance(10);
      const second = make().ensureJob(req);
      await clock.advance(100);
      accept();
      await clock.advance(100);
      assert.deepEqual(await second, await first);
    });

    it('moves the job of a dead seeder right away when asked for its digest', async () => {
      seeders.add('a');
      const req = request();
      await scheduler.ensureJob(req);
      seeders.beats.delete('a');
      seeders.add('b');
      assert.equal((await scheduler.ensureJob(req))?.seederId, 'b');
      assert.equal(seeders.calls.at(-1)?.req.authorization, 'Bearer s3cret', 'the new seeder fetches with the same credential');
    });
  });

  describe('reports', () => {
    it('records progress from the seeder that runs the job and ignores others', async () => {
      seeders.add('a');
      const req = request();
      const t = (await scheduler.ensureJob(req))!;
      assert.equal(await scheduler.progress({ jobId: t.jobId, seederId: 'a', digest: req.digest, bytes: 10, total: 42 }), true);
      assert.equal(await scheduler.progress({ jobId: t.jobId, seederId: 'x', digest: req.digest, bytes: 20, total: 42 }), false);
      assert.equal(await scheduler.progress({ jobId: 'job-unknown', seederId: 'a', digest: req.digest, bytes: 1 }), false);
      const [job] = await scheduler.listJobs();
      assert.deepEqual([job?.status, job?.bytes, job?.total], ['running', 10, 42]);
    });

    it('on completion ends the job and frees the digest', async () => {
      seeders.add('a');
      const req = request();
      const t = (await scheduler.ensureJob(req))!;
      assert.equal(await scheduler.complete({ jobId: t.jobId, seederId: 'a', digest: req.digest, size: 42 }), true);
      assert.equal(await store.jobOf(req.digest), undefined);
      const [job] = await scheduler.listJobs();
      assert.deepEqual([job?.status, job?.bytes], ['completed', 42]);
      assert.deepEqual(events.events.map((e) => e.key), ['jobAssigned', 'jobCompleted']);
      assert.equal(await scheduler.progress({ jobId: t.jobId, seederId: 'a', digest: req.digest, bytes: 1 }), false, 'a finished job stays finished');
    });

    it('on failure frees the digest so that a later locate can try again', async () => {
      seeders.add('a');
      const req = request();
      const t = (await scheduler.ensureJob(req))!;
      assert.equal(await scheduler.fail({ jobId: t.jobId, seederId: 'a', digest: req.digest, reason: 'upstream 404' }), true);
      assert.equal((await scheduler.listJobs())[0]?.reason, 'upstream 404');
      assert.notEqual((await scheduler.ensureJob(req))?.jobId, t.jobId);
    });
  });

  describe('sweep', () => {
    it('moves the jobs of a seeder that stopped beating to a live one', async () => {
      seeders.add('a');
      const req = request();
      const t = (await scheduler.ensureJob(req))!;
      await scheduler.progress({ jobId: t.jobId, seederId: 'a', digest: req.digest, bytes: 10 });
      seeders.beats.delete('a');
      seeders.add('b');
      assert.deepEqual(await scheduler.sweep(), { swept: true, reassigned: 1, failed: 0 });
      const [job] = await scheduler.listJobs();
      assert.deepEqual([job?.seederId, job?.status, job?.attempts, job?.bytes], ['b', 'assigned', 2, 0]);
      assert.equal(await scheduler.progress({ jobId: t.jobId, seederId: 'a', digest: req.digest, bytes: 30 }), false, 'the dead seeder lost the job');
      assert.deepEqual((await scheduler.ensureJob(req))?.seederId, 'b');
    });

    it('gives up after maxAttempts seeders and frees the digest', async () => {
      scheduler = make({ maxAttempts: 2, sweepLockMs: 1 });
      seeders.add('a');
      const req = request();
      await scheduler.ensureJob(req);
      seeders.beats.delete('a');
      seeders.add('b');
      assert.equal((await scheduler.sweep()).reassigned, 1);
      seeders.beats.delete('b');
      seeders.add('c');
      await clock.advance(5);
      assert.deepEqual(await scheduler.sweep(), { swept: true, reassigned: 0, failed: 1 });
      const [job] = await scheduler.listJobs();
      assert.equal(job?.status, 'failed');
      assert.match(job?.reason ?? '', /gave up after 2 seeders/);
      assert.equal(await store.jobOf(req.digest), undefined);
      assert.equal(events.events.at(-1)?.key, 'jobFailed');
    });

    it('takes a job from a live seeder that stopped reporting on it', async () => {
      scheduler = make({ stallMs: 60_000 });
      seeders.add('a');
      seeders.add('b', { load: 0.5 });
      await scheduler.ensureJob(request());
      await clock.advance(60_001);
      assert.equal((await scheduler.sweep()).reassigned, 1);
      assert.equal((await scheduler.listJobs())[0]?.seederId, 'b');
    });

    it('ends a job whose placing coordinator vanished', async () => {
      const req = request();
      await store.create({ jobId: 'job-orphan', digest: req.digest, registry: req.registry, repository: req.repository, status: 'pending', bytes: 0, attempts: 0, createdAt: clock.now(), updatedAt: clock.now() }, undefined, 3_600_000);
      scheduler = make({ pendingTimeoutMs: 5000 });
      assert.deepEqual(await scheduler.sweep(), { swept: true, reassigned: 0, failed: 0 });
      await clock.advance(5001);
      assert.deepEqual(await make({ pendingTimeoutMs: 5000 }).sweep(), { swept: true, reassigned: 0, failed: 1 });
      assert.equal(await store.jobOf(req.digest), undefined);
    });

    it('runs on one replica per sweep period', async () => {
      assert.equal((await scheduler.sweep()).swept, true);
      assert.equal((await make().sweep()).swept, false);
      await clock.advance(2000);
      assert.equal((await make().sweep()).swept, true);
    });
  });

  describe('jobs', () => {
    it('reads the named jobs that exist, in the order asked, without credentials', async () => {
      seeders.add('s1');
      const a = await scheduler.ensureJob(request());
      const b = await scheduler.ensureJob(request());
      const found = await scheduler.jobs([b!.jobId, 'job-unknown', a!.jobId]);
      assert.deepEqual(found.map((j) => j.jobId), [b!.jobId, a!.jobId]);
      assert.ok(!JSON.stringify(found).includes('s3cret'));
    });
  });
});
