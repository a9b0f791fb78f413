import type { Readable } from 'node:stream';
import type { FsBlobStore } from '@accelerboat/blob-store';
import type {
  AnnounceLayersRequest,
  AssignJobRequest,
  CompleteJobRequest,
  FailJobRequest,
  ReportJobProgressRequest,
  WithdrawLayersRequest,
} from '@accelerboat/registry-protocol';

/*
 * The seams of the seeding domain. In the app they are an UpstreamClient, the CoordinatorClient
 * and the LayerIndexerClient over NATS; in unit tests small in-memory fakes. Each is as narrow as
 * the JobRunner and the announcer need, so a fake cannot grow behaviour the real one lacks.
 */

/** What the store must offer the seeding domain: a subset of FsBlobStore. */
export type SeedingStore = Pick<FsBlobStore, 'stat' | 'inProgress' | 'writeOrJoin'>;

/** A blob body being received from the upstream. */
export interface UpstreamBody {
  /** The bytes; the runner consumes or destroys it. */
  stream: Readable;
  /** Size of the whole blob when the upstream announced it. */
  size?: number;
}

/** Where download jobs fetch their bytes: the upstream registry. */
export interface BlobSource {
  /** Whether this seeder may fetch from the registry at all (not configured and not allowed: refuse). */
  serves(registry: string): boolean;
  /**
   * Opens the whole blob. Rejects when the upstream refuses (NOT_FOUND, UNAUTHORIZED, ...) or
   * cannot be reached; errors must not carry the job's credential.
   */
  open(job: Pick<AssignJobRequest, 'registry' | 'repository' | 'digest' | 'authorization'>): Promise<UpstreamBody>;
}

/** Where the runner reports jobs: the master-coordinator. Every call may fail (NATS down). */
export interface JobReporter {
  /** Bytes a job has downloaded so far. */
  reportProgress(req: ReportJobProgressRequest): Promise<unknown>;
  /** The job's blob is verified and stored. */
  completeJob(req: CompleteJobRequest): Promise<unknown>;
  /** The job failed; the coordinator may give it to another seeder. */
  failJob(req: FailJobRequest): Promise<unknown>;
}

/** Where blobs this seeder holds are advertised: the layer index. Every call may fail. */
export interface LayerAnnouncer {
  /** Claims the entries for `ttlSeconds` (or the indexer's default). */
  announce(req: AnnounceLayersRequest): Promise<unknown>;
  /** Drops claims for blobs no longer held. */
  withdraw(req: WithdrawLayersRequest): Promise<unknown>;
}

/** The part of a pino logger the domain uses; failures of reports are logged, never thrown. */
export interface SeedingLogger {
  /** Normal operation worth a line (job done, re-announce finished). */
  info(obj: object, msg: string): void;
  /** Something failed and was tolerated (report not delivered, job failed). */
  warn(obj: object, msg: string): void;
}

/** A logger that drops everything, for callers that do not pass one. */
export const SILENT: SeedingLogger = { info: () => undefined, warn: () => undefined };
