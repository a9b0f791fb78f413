/** Where a download job stands. `pending` means a coordinator is still choosing its seeder. */
export type JobStatus = 'pending' | 'assigned' | 'running' | 'completed' | 'failed';

/** One download job, as stored and as operators list it. Never holds the credential. */
export interface JobRecord {
  jobId: string;
  /** The blob to fetch; at most one active job per digest, cluster-wide. */
  digest: string;
  registry: string;
  repository: string;
  /** Expected size from the manifest descriptor, when the asker knew it. */
  size?: number;
  status: JobStatus;
  /** The seeder running it (absent while pending). */
  seederId?: string;
  /** Base URL of that seeder's peer endpoint. */
  url?: string;
  /** Bytes downloaded so far, as last reported. */
  bytes: number;
  /** Total size, once the seeder knows it. */
  total?: number;
  /** How many seeders have accepted the job so far (1 unless it was reassigned). */
  attempts: number;
  /** ms since epoch. */
  createdAt: number;
  /** Last change of any kind, ms since epoch; progress reports move it. */
  updatedAt: number;
  /** Why the job failed or was last reassigned, for operators. */
  reason?: string;
}

/** The fields a job update may change. */
export type JobPatch = Partial<Pick<JobRecord, 'status' | 'seederId' | 'url' | 'bytes' | 'total' | 'attempts' | 'updatedAt' | 'reason'>>;

/** What a caller of ensureJob gets: the seeder that serves the blob as its bytes land. */
export interface JobTicket {
  jobId: string;
  seederId: string;
  /** Base URL of the seeder's peer endpoint; the blob is at `${url}/blobs/${digest}`. */
  url: string;
}

/** A request for a download job of a cold blob. */
export interface EnsureJobRequest {
  digest: string;
  size?: number;
  registry: string;
  repository: string;
  /** Credential the seeder fetches with. SECRET: never logged, listed or put in events. */
  authorization?: string;
}

/** True while the job may still produce the blob. */
export function isActive(status: JobStatus): boolean {
  return status === 'pending' || status === 'assigned' || status === 'running';
}

/** The ticket of a job that has a seeder. */
export function ticketOf(job: JobRecord): JobTicket | undefined {
  return job.seederId && job.url ? { jobId: job.jobId, seederId: job.seederId, url: job.url } : undefined;
}
