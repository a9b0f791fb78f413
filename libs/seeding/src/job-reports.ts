import type { AssignJobRequest } from '@accelerboat/registry-protocol';
import { failureReason } from './failure-reason.js';
import type { JobReporter, SeedingLogger } from './ports.js';

/** The identifiers every report about a job carries. */
export type JobRef = Pick<AssignJobRequest, 'jobId' | 'digest'>;

/**
 * Sends a seeder's job reports to the coordinator without ever failing the job for it: a report
 * that cannot be delivered (NATS down, no coordinator) is logged and dropped. The coordinator's
 * sweep reassigns jobs it stops hearing about, so a lost report costs time, never correctness.
 */
export class JobReports {
  // One progress report per job on the wire at a time: a slow coordinator must not pile them up.
  private readonly inFlight = new Set<string>();
  // Progress failures repeat every interval while NATS is away; one line per job is enough.
  private readonly warned = new Set<string>();

  constructor(
    private readonly reporter: JobReporter,
    private readonly seederId: string,
    private readonly logger: SeedingLogger,
  ) {}

  /** Reports bytes so far (fire and forget); skipped while the previous report is unanswered. */
  progress(job: JobRef, bytes: number, total?: number): void {
    if (this.inFlight.has(job.jobId)) return;
    this.inFlight.add(job.jobId);
    // The contract forbids bytes > total; a short announced size is caught by the store anyway.
    const withTotal = total !== undefined && bytes <= total ? { total } : {};
    const sent = this.reporter.reportProgress({ jobId: job.jobId, seederId: this.seederId, digest: job.digest, bytes, ...withTotal });
    void sent
      .then(
        () => this.warned.delete(job.jobId),
        (err: unknown) => {
          if (this.warned.has(job.jobId)) return;
          this.warned.add(job.jobId);
          this.logger.warn({ jobId: job.jobId, digest: job.digest, err: failureReason(err) }, 'job progress not delivered to the coordinator');
        },
      )
      .finally(() => this.inFlight.delete(job.jobId));
  }

  /** Reports the job's blob verified and stored. Never rejects. */
  complete(job: JobRef, size: number): Promise<void> {
    this.forget(job);
    return this.deliver('completion', job, () => this.reporter.completeJob({ jobId: job.jobId, seederId: this.seederId, digest: job.digest, size }));
  }

  /** Reports the job failed with an already sanitised reason. Never rejects. */
  fail(job: JobRef, reason: string): Promise<void> {
    this.forget(job);
    return this.deliver('failure', job, () => this.reporter.failJob({ jobId: job.jobId, seederId: this.seederId, digest: job.digest, reason }));
  }

  private forget(job: JobRef): void {
    this.warned.delete(job.jobId);
  }

  private async deliver(what: string, job: JobRef, call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
    } catch (err) {
      this.logger.warn({ jobId: job.jobId, digest: job.digest, err: failureReason(err) }, `job ${what} not delivered to the coordinator`);
    }
  }
}
