import { randomUUID } from 'node:crypto';
import type { CompleteJobRequest, FailJobRequest, ReportJobProgressRequest } from '@accelerboat/registry-protocol';
import { systemClock, type Clock } from './clock.js';
import type { EventSink } from './event-sink.js';
import { isActive, ticketOf, type EnsureJobRequest, type JobPatch, type JobRecord, type JobTicket } from './job.js';
import type { JobStore } from './job-store.js';
import type { SeederAssigner } from './seeder.client.js';
import { SeederPlacer, type LiveSeeders } from './seeder-placer.js';
import type { SingleFlight } from './single-flight.js';

/** Tuning of the JobScheduler; the app maps JOB_* config keys onto it. */
export interface JobSchedulerOptions {
  /** Seeders a job may be given before it is declared failed (JOB_ATTEMPTS). */
  maxAttempts?: number;
  /** Longest wait for one seeder to accept (JOB_ASSIGN_TIMEOUT_MS); a placement tries for twice that. */
  assignTimeoutMs?: number;
  /** Life of an active job nobody reports on; bounds what a vanished cluster leaves in Redis. */
  activeTtlMs?: number;
  /** How long finished jobs stay listed for operators. */
  doneTtlMs?: number;
  /** A job still pending after this long lost the coordinator that was placing it. */
  pendingTimeoutMs?: number;
  /** A job without any report for this long is taken from its (live but stuck) seeder. */
  stallMs?: number;
  /** How long one sweep holds the cluster-wide sweep lock: at most one sweep per this period. */
  sweepLockMs?: number;
  clock?: Clock;
  /** Converges concurrent ensureJob calls for one digest across replicas. */
  singleFlight?: SingleFlight;
  events?: EventSink;
  /** Told about seeders that refused or failed an assignment; for logs. */
  onRefusal?: (seederId: string, why: unknown) => void;
  newJobId?: () => string;
}

/** What one sweep did. */
export interface SweepResult {
  /** False when another replica held the sweep lock. */
  swept: boolean;
  reassigned: number;
  failed: number;
}

/**
 * Download jobs for cold blobs: at most one active job per digest cluster-wide, given to the
 * least busy live seeder and answered as soon as it accepted (it serves bytes as they land).
 * Seeders report progress and the end; a periodic sweep moves the jobs of dead or stuck seeders
 * to live ones, up to maxAttempts seeders per job.
 */
export class JobScheduler {
  private readonly opts: Required<Omit<JobSchedulerOptions, 'singleFlight' | 'events' | 'onRefusal'>>;
  private readonly placer: SeederPlacer;

  constructor(
    private readonly store: JobStore,
    private readonly seeders: LiveSeeders,
    assigner: SeederAssigner,
    private readonly options: JobSchedulerOptions = {},
  ) {
    const assignTimeoutMs = options.assignTimeoutMs ?? 1000;
    this.opts = {
      maxAttempts: options.maxAttempts ?? 3,
      assignTimeoutMs,
      activeTtlMs: options.activeTtlMs ?? 60 * 60_000,
      doneTtlMs: options.doneTtlMs ?? 10 * 60_000,
      pendingTimeoutMs: options.pendingTimeoutMs ?? assignTimeoutMs * 2 + 10_000,
      stallMs: options.stallMs ?? 5 * 60_000,
      sweepLockMs: options.sweepLockMs ?? 2000,
      clock: options.clock ?? systemClock,
      newJobId: options.newJobId ?? (() => `job-${randomUUID().replaceAll('-', '')}`),
    };
    const budgetMs = assignTimeoutMs * 2;
    this.placer = new SeederPlacer(seeders, assigner, store, { assignTimeoutMs, budgetMs, clock: this.opts.clock, onRefusal: options.onRefusal });
  }

  /**
   * The job that brings `req.digest` into the cluster: the active one, or a new one given to the
   * least busy live seeder. Undefined when no seeder took it; the caller then goes upstream.
   * Concurrent callers for one digest share the first caller's job, credential included; each
   * client's own access is checked by the edge-proxy before it serves a byte.
   */
  async ensureJob(req: EnsureJobRequest): Promise<JobTicket | undefined> {
    const ensure = (): Promise<JobTicket | undefined> => this.ensureNow(req);
    if (!this.options.singleFlight) return ensure();
    // Replicas asked for one cold blob at once converge here; the digest binding in the store
    // stays the guarantee when convergence falls back to running twice.
    const budget = this.opts.assignTimeoutMs * 2;
    return this.options.singleFlight.run(`job:ensure:${req.digest}`, { resultTtlMs: 1000, lockTtlMs: budget + 1000, waitMs: budget + 1000 }, ensure);
  }

  /** Records a seeder's progress; false when the job is unknown, over, or no longer that seeder's. */
  progress(req: ReportJobProgressRequest): Promise<boolean> {
    const patch: JobPatch = { status: 'running', bytes: req.bytes, updatedAt: this.opts.clock.now(), ...(req.total !== undefined ? { total: req.total } : {}) };
    return this.store.update(req.jobId, patch, { ifSeeder: req.seederId, ttlMs: this.opts.activeTtlMs });
  }

  /**
   * Ends a job whose blob the seeder now holds. The seeder announces the blob to the layer index
   * itself; here the digest binding is released, since the index answers for the blob from now on.
   */
  async complete(req: CompleteJobRequest): Promise<boolean> {
    const done = await this.close(req.jobId, req.seederId, { status: 'completed', bytes: req.size, total: req.size });
    if (done) this.options.events?.publish('jobCompleted', { jobId: req.jobId, seederId: req.seederId, digest: req.digest, size: req.size });
    return done;
  }

  /** Ends a failed job and releases its digest, so that a later locate may try elsewhere. */
  async fail(req: FailJobRequest): Promise<boolean> {
    const done = await this.close(req.jobId, req.seederId, { status: 'failed', reason: req.reason });
    if (done) this.options.events?.publish('jobFailed', { jobId: req.jobId, seederId: req.seederId, digest: req.digest, reason: req.reason });
    return done;
  }

  /** The most recent jobs, newest first, for operators. Never includes credentials. */
  listJobs(limit = 100): Promise<JobRecord[]> {
    return this.store.recent(limit);
  }

  /** The named jobs that still exist, in the order asked; for operators following a preload. */
  async jobs(jobIds: readonly string[]): Promise<JobRecord[]> {
    const found = await Promise.all(jobIds.map((id) => this.store.get(id)));
    return found.filter((j): j is JobRecord => j !== undefined);
  }

  /**
   * Moves the jobs of dead seeders (heartbeat expired) and stuck ones (no report for stallMs) to
   * live seeders, and ends jobs whose placing coordinator vanished. One replica at a time.
   */
  async sweep(): Promise<SweepResult> {
    const result: SweepResult = { swept: false, reassigned: 0, failed: 0 };
    // Never released: the lock expiring is what spaces sweeps out across replicas.
    if (!(await this.store.lock('sweep', this.opts.sweepLockMs))) return result;
    result.swept = true;
    const [jobs, live] = await Promise.all([this.store.active(), this.seeders.live()]);
    const alive = new Set(live.map((s) => s.seederId));
    const now = this.opts.clock.now();
    for (const job of jobs) {
      let why: string | undefined;
      if (job.status === 'pending') {
        if (now - job.updatedAt > this.opts.pendingTimeoutMs && (await this.close(job.jobId, '', { status: 'failed', reason: 'placement abandoned' }))) result.failed++;
        continue;
      }
      if (!alive.has(job.seederId ?? '')) why = `seeder ${job.seederId} stopped beating`;
      else if (now - job.updatedAt > this.opts.stallMs) why = `no report from seeder ${job.seederId} for ${Math.round((now - job.updatedAt) / 1000)} s`;
      if (!why) continue;
      if (await this.reassign(job, why)) result.reassigned++;
      else result.failed++;
    }
    return result;
  }

  private async ensureNow(req: EnsureJobRequest): Promise<JobTicket | undefined> {
    const bound = await this.store.jobOf(req.digest);
    if (bound) return this.join(bound);
    const now = this.opts.clock.now();
    const job: JobRecord = {
      jobId: this.opts.newJobId(),
      digest: req.digest,
      registry: req.registry,
      repository: req.repository,
      ...(req.size !== undefined ? { size: req.size } : {}),
      status: 'pending',
      bytes: 0,
      attempts: 0,
      createdAt: now,
      updatedAt: now,
    };
    const owner = await this.store.create(job, req.authorization, this.opts.activeTtlMs);
    if (owner !== job.jobId) return this.join(owner);
    const placed = await this.placer.place(job, req.authorization);
    if (!placed) {
      await this.close(job.jobId, '', { status: 'failed', reason: 'no seeder accepted the job' });
      return undefined;
    }
    return this.assigned(job, '', placed.seederId, placed.url, 1);
  }

  /** Uses a job someone else created: waits out its placement, or moves it off a dead seeder. */
  private async join(jobId: string): Promise<JobTicket | undefined> {
    const { clock, assignTimeoutMs } = this.opts;
    const deadline = clock.now() + assignTimeoutMs * 2;
    for (;;) {
      const job = await this.store.get(jobId);
      if (!job) return undefined;
      if (job.status === 'pending') {
        if (clock.now() >= deadline) return undefined;
        await clock.sleep(50);
        continue;
      }
      // A job that completed a moment ago is fine too: its seeder holds the blob.
      if (!isActive(job.status) && job.status !== 'completed') return undefined;
      const live = await this.seeders.live();
      if (live.some((s) => s.seederId === job.seederId)) return ticketOf(job);
      return isActive(job.status) ? this.reassign(job, `seeder ${job.seederId} stopped beating`) : undefined;
    }
  }

  /** Gives `job` to another live seeder, or ends it when attempts are used up or nobody takes it. */
  private async reassign(job: JobRecord, why: string): Promise<JobTicket | undefined> {
    const from = job.seederId ?? '';
    // Sweep and a locate may find the same dead seeder at once; one of them moves the job.
    const unlock = await this.store.lock(`reassign:${job.jobId}`, this.opts.assignTimeoutMs * 2 + 1000);
    if (!unlock) return undefined;
    try {
      if (job.attempts >= this.opts.maxAttempts) {
        await this.failed(job, from, `gave up after ${job.attempts} seeders: ${why}`);
        return undefined;
      }
      const placed = await this.placer.place(job, await this.store.authorization(job.jobId), [from]);
      if (!placed) {
        await this.failed(job, from, `no live seeder took the job over: ${why}`);
        return undefined;
      }
      return await this.assigned(job, from, placed.seederId, placed.url, job.attempts + 1, why);
    } finally {
      await unlock();
    }
  }

  private async assigned(job: JobRecord, from: string, seederId: string, url: string, attempts: number, reason?: string): Promise<JobTicket | undefined> {
    const patch: JobPatch = { status: 'assigned', seederId, url, attempts, bytes: 0, updatedAt: this.opts.clock.now(), ...(reason ? { reason } : {}) };
    // Lost race (the job ended or moved meanwhile): the seeder's reports will simply be ignored.
    if (!(await this.store.update(job.jobId, patch, { ifSeeder: from, ttlMs: this.opts.activeTtlMs }))) return undefined;
    this.options.events?.publish('jobAssigned', { jobId: job.jobId, seederId, digest: job.digest, registry: job.registry, repository: job.repository });
    return { jobId: job.jobId, seederId, url };
  }

  private async failed(job: JobRecord, from: string, reason: string): Promise<void> {
    if (await this.close(job.jobId, from, { status: 'failed', reason })) {
      this.options.events?.publish('jobFailed', { jobId: job.jobId, seederId: from, digest: job.digest, reason });
    }
  }

  private close(jobId: string, seederId: string, patch: JobPatch): Promise<boolean> {
    return this.store.update(jobId, { ...patch, updatedAt: this.opts.clock.now() }, { ifSeeder: seederId, ttlMs: this.opts.doneTtlMs, final: true });
  }
}
