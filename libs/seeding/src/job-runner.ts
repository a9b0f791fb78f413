import type { BlobWriter, CommittedBlob } from '@accelerboat/blob-store';
import { Digest, type AssignJobRequest, type AssignJobResponse } from '@accelerboat/registry-protocol';
import { DownloadTask } from './download-task.js';
import { failureReason, SeederClosingError, secretsOf } from './failure-reason.js';
import { JobReports, type JobRef } from './job-reports.js';
import { SILENT, type BlobSource, type JobReporter, type LayerAnnouncer, type SeedingLogger, type SeedingStore } from './ports.js';
import { Wakeups } from './wakeups.js';

/** How a job ended, for metrics. */
export type JobOutcome = 'completed' | 'failed';

/** Told what the runner does, for metrics; every method must be cheap and must not throw. */
export interface JobObserver {
  /** A download started (a job slot was taken). */
  jobStarted(): void;
  /** A download ended (its slot is free again). */
  jobEnded(outcome: JobOutcome): void;
  /** Bytes received from the upstream and written to the store. */
  downloaded(bytes: number): void;
}

/** What a JobRunner is built from. */
export interface JobRunnerOptions {
  /** This seeder's id: the `{seeder}` token of its subject and the node id it announces as. */
  seederId: string;
  /** Base URL of this seeder's peer endpoint (`${publicUrl}/blobs/<digest>`). */
  publicUrl: string;
  /** Downloads run at once; also the bound on concurrent upstream requests. */
  maxJobs: number;
  store: SeedingStore;
  source: BlobSource;
  reporter: JobReporter;
  announcer: Pick<LayerAnnouncer, 'announce'>;
  /** TTL sent with announcements; the indexer's default when absent. */
  announceTtlSeconds?: number;
  /** Progress reports at most this often (default 500 ms). */
  progressIntervalMs?: number;
  /** A download without new bytes for this long fails (default 60 s). */
  idleTimeoutMs?: number;
  observer?: JobObserver;
  logger?: SeedingLogger;
}

/** The runner's load, as the heartbeat reports it. */
export interface RunnerLoad {
  /** Downloads running now. */
  activeJobs: number;
  /** Downloads it runs at once; 0 while closing (draining). */
  maxJobs: number;
  /** activeJobs / maxJobs (1 = fully busy); 1 while closing. */
  load: number;
}

const NO_OBSERVER: JobObserver = { jobStarted: () => undefined, jobEnded: () => undefined, downloaded: () => undefined };

/**
 * Runs the download jobs the coordinator assigns to this seeder. `assign` answers at once, since
 * the coordinator answers the asking edge-proxy as soon as a seeder has started and peers read
 * the bytes while they land. A blob already stored or being written is joined, never fetched a
 * second time; otherwise a job takes one of `maxJobs` slots or is refused as busy. Every job ends
 * with exactly one completion or failure report.
 */
export class JobRunner {
  private readonly downloads = new Map<string, DownloadTask>();
  private readonly pending = new Set<Promise<void>>();
  private readonly wakeups = new Wakeups<string>();
  private readonly reports: JobReports;
  private readonly observer: JobObserver;
  private readonly logger: SeedingLogger;
  private readonly progressIntervalMs: number;
  private closing = false;

  constructor(private readonly opts: JobRunnerOptions) {
    this.logger = opts.logger ?? SILENT;
    this.observer = opts.observer ?? NO_OBSERVER;
    this.reports = new JobReports(opts.reporter, opts.seederId, this.logger);
    this.progressIntervalMs = opts.progressIntervalMs ?? 500;
  }

  /** Accepts a job (starting or joining its download) or refuses it; never waits for the upstream. */
  assign(req: AssignJobRequest): AssignJobResponse {
    const job = { ...req, digest: Digest.parse(req.digest).toString() };
    if (this.closing) return this.refuse(req, 'draining');
    if (!this.opts.source.serves(job.registry)) return this.refuse(req, `registry ${job.registry} is not served by this seeder`);
    if (this.downloads.has(job.digest) || this.opts.store.stat(job.digest) || this.opts.store.inProgress(job.digest)) {
      this.track(this.watch(job));
      return this.accept(req);
    }
    if (this.downloads.size >= this.opts.maxJobs) return this.refuse(req, 'busy');
    const claim = this.opts.store.writeOrJoin(job.digest, job.size !== undefined ? { expectedSize: job.size } : {});
    if (claim.role === 'writer') this.start(job, claim.writer);
    else this.track(this.watch(job));
    return this.accept(req);
  }

  /** Current load, for the heartbeat. */
  load(): RunnerLoad {
    const activeJobs = this.downloads.size;
    if (this.closing) return { activeJobs, maxJobs: 0, load: 1 };
    return { activeJobs, maxJobs: this.opts.maxJobs, load: activeJobs / this.opts.maxJobs };
  }

  /** Resolves once every job accepted so far has ended and been reported. */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /** Refuses new jobs, stops running downloads (reported as failed) and waits for the reports. */
  async close(): Promise<void> {
    this.closing = true;
    for (const task of this.downloads.values()) task.cancel(new SeederClosingError());
    this.wakeups.wakeAll();
    await this.idle();
  }

  private start(job: AssignJobRequest, writer: BlobWriter): void {
    const task = new DownloadTask(job, writer, {
      source: this.opts.source,
      reports: this.reports,
      progressIntervalMs: this.progressIntervalMs,
      idleTimeoutMs: this.opts.idleTimeoutMs ?? 60_000,
      downloaded: (n) => this.observer.downloaded(n),
    });
    this.downloads.set(job.digest, task);
    this.observer.jobStarted();
    const settled = task.done.then(
      (blob) => ({ blob }),
      (err: unknown) => ({ reason: failureReason(err, secretsOf(job.authorization)) }),
    );
    this.track(
      settled.then(async (outcome) => {
        // The slot is free as soon as the bytes stopped: reports to a slow coordinator must not hold it.
        this.downloads.delete(job.digest);
        this.observer.jobEnded('blob' in outcome ? 'completed' : 'failed');
        this.wakeups.wake(job.digest);
        if ('blob' in outcome) {
          await this.announce(outcome.blob);
          await this.reports.complete(job, outcome.blob.size);
          this.logger.info({ jobId: job.jobId, digest: job.digest, size: outcome.blob.size }, 'download job completed');
        } else {
          this.logger.warn({ jobId: job.jobId, digest: job.digest, registry: job.registry, repository: job.repository, reason: outcome.reason }, 'download job failed');
          await this.reports.fail(job, outcome.reason);
        }
      }),
    );
  }

  /**
   * A job whose blob is stored or being written by someone else: reports the writer's progress
   * and ends when the blob is committed (completed) or the write is gone without it (failed).
   */
  private async watch(job: AssignJobRequest): Promise<void> {
    for (;;) {
      const stored = this.opts.store.stat(job.digest);
      if (stored) {
        // Announce again: the coordinator only assigns blobs it believes nobody holds.
        await this.announce(stored);
        return this.reports.complete(job, stored.size);
      }
      const progress = this.opts.store.inProgress(job.digest);
      if (!progress || this.closing) {
        const why = this.closing ? new SeederClosingError().message : 'the download this job joined did not complete';
        return this.reports.fail(job, why);
      }
      this.reports.progress(job, progress.bytesWritten, progress.expectedSize ?? job.size);
      await this.wakeups.wait(job.digest, this.progressIntervalMs);
    }
  }

  private async announce(blob: CommittedBlob): Promise<void> {
    const { seederId, publicUrl, announceTtlSeconds } = this.opts;
    try {
      await this.opts.announcer.announce({
        nodeId: seederId,
        url: publicUrl,
        entries: [{ digest: blob.digest, size: blob.size, source: 'seeder' }],
        ...(announceTtlSeconds !== undefined ? { ttlSeconds: announceTtlSeconds } : {}),
      });
    } catch (err) {
      // The periodic re-announcement repairs this within a third of the TTL.
      this.logger.warn({ digest: blob.digest, err: failureReason(err) }, 'announce to the layer index failed');
    }
  }

  private track(work: Promise<void>): void {
    const p: Promise<void> = work.catch((err: unknown) => this.logger.warn({ err: failureReason(err) }, 'job bookkeeping failed')).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  private accept(req: JobRef): AssignJobResponse {
    return { jobId: req.jobId, seederId: this.opts.seederId, accepted: true, url: this.opts.publicUrl };
  }

  private refuse(req: JobRef, reason: string): AssignJobResponse {
    return { jobId: req.jobId, seederId: this.opts.seederId, accepted: false, url: this.opts.publicUrl, reason };
  }
}
