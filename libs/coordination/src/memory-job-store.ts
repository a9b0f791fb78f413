import type { Clock } from './clock.js';
import { isActive, type JobPatch, type JobRecord } from './job.js';
import { RECENT_JOBS_MAX, type JobStore, type JobUpdateOptions, type Unlock } from './job-store.js';

interface Entry {
  job: JobRecord;
  authorization?: string;
  expiresAt: number;
}

/** JobStore in process memory, on an injectable clock: the fake for unit tests. */
export class MemoryJobStore implements JobStore {
  private readonly jobs = new Map<string, Entry>();
  private readonly byDigest = new Map<string, { jobId: string; expiresAt: number }>();
  private readonly locks = new Map<string, number>();
  private readonly order: string[] = [];

  constructor(private readonly clock: Pick<Clock, 'now'>) {}

  async create(job: JobRecord, authorization: string | undefined, ttlMs: number): Promise<string> {
    const bound = await this.jobOf(job.digest);
    if (bound) return bound;
    const expiresAt = this.clock.now() + ttlMs;
    this.jobs.set(job.jobId, { job: { ...job }, ...(authorization ? { authorization } : {}), expiresAt });
    this.byDigest.set(job.digest, { jobId: job.jobId, expiresAt });
    this.order.push(job.jobId);
    if (this.order.length > RECENT_JOBS_MAX) this.order.shift();
    return job.jobId;
  }

  async get(jobId: string): Promise<JobRecord | undefined> {
    const e = this.entry(jobId);
    return e ? { ...e.job } : undefined;
  }

  async jobOf(digest: string): Promise<string | undefined> {
    const b = this.byDigest.get(digest);
    return b && b.expiresAt > this.clock.now() ? b.jobId : undefined;
  }

  async update(jobId: string, patch: JobPatch, options: JobUpdateOptions): Promise<boolean> {
    const e = this.entry(jobId);
    if (!e || !isActive(e.job.status) || (e.job.seederId ?? '') !== options.ifSeeder) return false;
    Object.assign(e.job, patch);
    e.expiresAt = this.clock.now() + options.ttlMs;
    const binding = this.byDigest.get(e.job.digest);
    if (binding?.jobId === jobId) {
      if (options.final) this.byDigest.delete(e.job.digest);
      else binding.expiresAt = e.expiresAt;
    }
    if (options.final) delete e.authorization;
    return true;
  }

  async authorization(jobId: string): Promise<string | undefined> {
    return this.entry(jobId)?.authorization;
  }

  async active(): Promise<JobRecord[]> {
    return this.order.map((id) => this.entry(id)?.job).filter((j): j is JobRecord => !!j && isActive(j.status)).map((j) => ({ ...j }));
  }

  async recent(limit: number): Promise<JobRecord[]> {
    return [...this.order]
      .reverse()
      .map((id) => this.entry(id)?.job)
      .filter((j): j is JobRecord => !!j)
      .slice(0, limit)
      .map((j) => ({ ...j }));
  }

  async lock(name: string, ttlMs: number): Promise<Unlock | undefined> {
    const now = this.clock.now();
    if ((this.locks.get(name) ?? 0) > now) return undefined;
    const until = now + ttlMs;
    this.locks.set(name, until);
    return async () => {
      if (this.locks.get(name) === until) this.locks.delete(name);
    };
  }

  private entry(jobId: string): Entry | undefined {
    const e = this.jobs.get(jobId);
    if (e && e.expiresAt <= this.clock.now()) this.jobs.delete(jobId);
    return e && e.expiresAt > this.clock.now() ? e : undefined;
  }
}
