import type { LayerHolder as IndexHolder } from '@accelerboat/layer-index';
import {
  hasControlCharacters,
  REASON_MAX_LENGTH,
  type JobSummary,
  type LayerHolder,
  type ListJobsRequest,
  type ListJobsResponse,
  type ListNodesResponse,
  type SeederNode,
} from '@accelerboat/registry-protocol';
import type { JobRecord } from './job.js';
import type { JobScheduler } from './job-scheduler.js';
import type { LiveSeeders } from './seeder-placer.js';
import type { SeederStatus } from './seeder-registry.js';

/** How many jobs job-list answers when the caller names no limit. */
export const DEFAULT_JOB_LIST_LIMIT = 100;

/**
 * What operators read about the cluster's work: download jobs and live seeders, mapped field by
 * field onto the wire DTOs (a reply with any extra field would be refused by the caller, and the
 * stored records hold things, such as credentials' neighbours, that are nobody's business).
 */
export class ClusterViews {
  constructor(
    private readonly jobs: Pick<JobScheduler, 'listJobs' | 'jobs'>,
    private readonly seeders: LiveSeeders,
  ) {}

  /** The named jobs, or the most recent ones. */
  async listJobs(req: ListJobsRequest): Promise<ListJobsResponse> {
    const records = req.jobIds ? await this.jobs.jobs(req.jobIds) : await this.jobs.listJobs(req.limit ?? DEFAULT_JOB_LIST_LIMIT);
    return { jobs: records.map(jobSummary) };
  }

  /** Live seeders, least busy first. */
  async listNodes(): Promise<ListNodesResponse> {
    return { seeders: (await this.seeders.live()).map(seederNode) };
  }
}

/** A stored job as the wire shows it: times as ISO 8601, the reason made one safe line. */
export function jobSummary(j: JobRecord): JobSummary {
  return {
    jobId: j.jobId,
    digest: j.digest,
    registry: j.registry,
    repository: j.repository,
    ...(j.size !== undefined ? { size: j.size } : {}),
    status: j.status,
    ...(j.seederId ? { seederId: j.seederId } : {}),
    ...(j.url ? { url: j.url } : {}),
    bytes: j.bytes,
    ...(j.total !== undefined ? { total: j.total } : {}),
    attempts: j.attempts,
    createdAt: new Date(j.createdAt).toISOString(),
    updatedAt: new Date(j.updatedAt).toISOString(),
    ...(j.reason ? { reason: oneLine(j.reason) } : {}),
  };
}

/** A seeder's last heartbeat as the wire shows it. */
export function seederNode(s: SeederStatus): SeederNode {
  return {
    seederId: s.seederId,
    url: s.url,
    activeJobs: s.activeJobs,
    maxJobs: s.maxJobs,
    load: s.load,
    ...(s.bytesServed !== undefined ? { bytesServed: s.bytesServed } : {}),
    ...(s.version !== undefined ? { version: s.version } : {}),
    lastSeen: new Date(s.seenAt).toISOString(),
  };
}

/** An index claim as the wire shows it (the layer-indexer's lookup answers the same shape). */
export function holderDto(h: IndexHolder): LayerHolder {
  return { nodeId: h.nodeId, size: h.size, source: h.source, ...(h.url ? { url: h.url } : {}), lastSeen: new Date(h.lastSeen).toISOString() };
}

// Reasons are built from several sources over time (reassignments append theirs); the contract
// wants one bounded line.
function oneLine(reason: string): string {
  const flat = hasControlCharacters(reason) ? reason.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ') : reason;
  return flat.length > REASON_MAX_LENGTH ? `${flat.slice(0, REASON_MAX_LENGTH - 1)}…` : flat;
}
