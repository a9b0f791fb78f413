import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import type { JobRecord } from './job.js';
import type { JobStore } from './job-store.js';

/** A store under test and a way to let time pass for it (by hand, or really). */
export interface JobStoreHarness {
  store: JobStore;
  now(): number;
  elapse(ms: number): Promise<void>;
}

/** A fresh digest per call, so tests sharing one Redis never collide. */
export const digestFixture = (): string => `sha256:${createHash('sha256').update(randomUUID()).digest('hex')}`;

/** A pending job for `digest` as ensureJob would create it. */
export function jobFixture(digest = digestFixture(), at = Date.now()): JobRecord {
  const jobId = `job-${randomUUID().replaceAll('-', '')}`;
  return { jobId, digest, registry: 'registry-1.docker.io', repository: 'library/alpine', size: 42, status: 'pending', bytes: 0, attempts: 0, createdAt: at, updatedAt: at };
}

const TTL = 60_000;

/**
 * The behaviour every JobStore must have. The in-memory fake and the Redis adapter both run it,
 * so the fake the scheduler's unit tests use cannot drift from the real thing.
 */
export function jobStoreConformance(name: string, make: () => Promise<JobStoreHarness>): void {
  describe(`${name} (JobStore conformance)`, () => {
    let h: JobStoreHarness;
    beforeEach(async () => {
      h = await make();
    });

    it('binds a digest to the first job created for it and reads the record back as written', async () => {
      const a = jobFixture(undefined, h.now());
      const b = jobFixture(a.digest, h.now());
      assert.equal(await h.store.create(a, 'Bearer s3cret', TTL), a.jobId);
      assert.equal(await h.store.create(b, undefined, TTL), a.jobId);
      assert.equal(await h.store.jobOf(a.digest), a.jobId);
      assert.deepEqual(await h.store.get(a.jobId), a);
      assert.equal(await h.store.get(b.jobId), undefined);
      assert.equal(await h.store.authorization(a.jobId), 'Bearer s3cret');
    });

    it('applies an update only while the job still has the expected seeder', async () => {
      const job = jobFixture(undefined, h.now());
      await h.store.create(job, undefined, TTL);
      assert.equal(await h.store.update(job.jobId, { status: 'assigned', seederId: 's1', url: 'http://s1', attempts: 1 }, { ifSeeder: 's2', ttlMs: TTL }), false);
      assert.equal(await h.store.update(job.jobId, { status: 'assigned', seederId: 's1', url: 'http://s1', attempts: 1 }, { ifSeeder: '', ttlMs: TTL }), true);
      assert.equal(await h.store.update(job.jobId, { status: 'running', bytes: 5 }, { ifSeeder: '', ttlMs: TTL }), false);
      assert.equal(await h.store.update(job.jobId, { status: 'running', bytes: 5, total: 42 }, { ifSeeder: 's1', ttlMs: TTL }), true);
      assert.deepEqual(await h.store.get(job.jobId), { ...job, status: 'running', seederId: 's1', url: 'http://s1', attempts: 1, bytes: 5, total: 42 });
      assert.equal(await h.store.update('job-missing', { bytes: 1 }, { ifSeeder: '', ttlMs: TTL }), false);
    });

    it('ends a job for good: digest unbound, credential gone, no longer active, still listed', async () => {
      const job = jobFixture(undefined, h.now());
      await h.store.create(job, 'Bearer s3cret', TTL);
      assert.ok((await h.store.active()).some((j) => j.jobId === job.jobId));
      assert.equal(await h.store.update(job.jobId, { status: 'failed', reason: 'upstream 404' }, { ifSeeder: '', ttlMs: TTL, final: true }), true);
      assert.equal(await h.store.jobOf(job.digest), undefined);
      assert.equal(await h.store.authorization(job.jobId), undefined);
      assert.ok(!(await h.store.active()).some((j) => j.jobId === job.jobId));
      assert.equal((await h.store.get(job.jobId))?.status, 'failed');
      assert.equal((await h.store.recent(5))[0]?.jobId, job.jobId);
      assert.equal(await h.store.update(job.jobId, { status: 'running' }, { ifSeeder: '', ttlMs: TTL }), false, 'finished jobs never change again');
      const next = jobFixture(job.digest, h.now());
      assert.equal(await h.store.create(next, undefined, TTL), next.jobId, 'the digest can get a new job');
    });

    it('does not unbind a digest that a newer job holds when an old job ends late', async () => {
      const old = jobFixture(undefined, h.now());
      await h.store.create(old, undefined, 200);
      await h.elapse(250);
      const fresh = jobFixture(old.digest, h.now());
      assert.equal(await h.store.create(fresh, undefined, TTL), fresh.jobId);
      assert.equal(await h.store.update(old.jobId, { status: 'failed' }, { ifSeeder: '', ttlMs: TTL, final: true }), false);
      assert.equal(await h.store.jobOf(old.digest), fresh.jobId);
    });

    it('forgets jobs, bindings and credentials nobody touched for their TTL', async () => {
      const job = jobFixture(undefined, h.now());
      await h.store.create(job, 'Bearer s3cret', 200);
      await h.elapse(120);
      assert.equal(await h.store.update(job.jobId, { bytes: 1 }, { ifSeeder: '', ttlMs: 200 }), true, 'an update extends the life');
      await h.elapse(120);
      assert.equal(await h.store.jobOf(job.digest), job.jobId);
      assert.equal(await h.store.authorization(job.jobId), 'Bearer s3cret');
      await h.elapse(150);
      assert.equal(await h.store.get(job.jobId), undefined);
      assert.equal(await h.store.jobOf(job.digest), undefined);
      assert.equal(await h.store.authorization(job.jobId), undefined);
      assert.ok(!(await h.store.active()).some((j) => j.jobId === job.jobId));
    });

    it('lists recent jobs newest first, up to the limit', async () => {
      const jobs = [0, 1, 2].map((i) => jobFixture(undefined, h.now() + i));
      for (const j of jobs) await h.store.create(j, undefined, TTL);
      const recent = await h.store.recent(2);
      assert.deepEqual(
        recent.map((j) => j.jobId),
        [jobs[2]!.jobId, jobs[1]!.jobId],
      );
    });

    it('hands a named lock to one holder until it is released or expires', async () => {
      const name = `t-${randomUUID()}`;
      const unlock = await h.store.lock(name, 200);
      assert.ok(unlock);
      assert.equal(await h.store.lock(name, 200), undefined);
      await unlock();
      const again = await h.store.lock(name, 200);
      assert.ok(again);
      await h.elapse(250);
      assert.ok(await h.store.lock(name, 200), 'an expired lock can be taken');
      await again(); // releasing a lock that changed hands must not free the new holder's
      assert.equal(await h.store.lock(name, 200), undefined);
    });
  });
}
