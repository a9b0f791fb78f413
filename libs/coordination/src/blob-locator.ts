import type { LayerHolder, LayerIndex } from '@accelerboat/layer-index';
import type { BlobSource, LocateBlobRequest, LocateBlobResponse, SourceKind } from '@accelerboat/registry-protocol';
import type { EventSink } from './event-sink.js';
import type { EnsureJobRequest, JobTicket } from './job.js';

const KIND: Record<LayerHolder['source'], SourceKind> = { 'edge-cache': 'peer', seeder: 'seeder', containerd: 'containerd' };

/** Starts download jobs for cold blobs; the JobScheduler is the real one. */
export interface JobStarter {
  /** The job that brings the blob into the cluster, or undefined when no seeder can take it. */
  ensureJob(req: EnsureJobRequest): Promise<JobTicket | undefined>;
}

/** What the BlobLocator may use besides the index. */
export interface BlobLocatorOptions {
  /** Without it, cold blobs are answered with no sources. */
  jobs?: JobStarter;
  events?: EventSink;
  /** Told when starting a job failed (Redis or NATS trouble); the answer is then "no sources". */
  onJobError?: (error: unknown) => void;
}

/**
 * Answers "where is this blob": every live holder with a peer endpoint, except the asker itself,
 * freshest claim first. When nobody holds it and the asker named the registry and repository, a
 * seeder gets a download job and is the one source. An empty list tells the edge-proxy to go to
 * the upstream itself.
 */
export class BlobLocator {
  constructor(
    private readonly index: LayerIndex,
    private readonly options: BlobLocatorOptions = {},
  ) {}

  async locate(req: LocateBlobRequest): Promise<LocateBlobResponse> {
    const holders = await this.index.lookup(req.digest);
    const sources: BlobSource[] = holders
      // The asker's own cache would have served it; a seeder on the same node is a fine source.
      .filter((h) => h.url && !(h.nodeId === req.nodeId && h.source === 'edge-cache') && (req.size === undefined || h.size === req.size))
      .slice(0, 16)
      .map((h) => ({ kind: KIND[h.source], nodeId: h.nodeId, url: h.url! }));
    const size = req.size ?? holders[0]?.size;
    const ticket = sources.length ? undefined : await this.startJob(req);
    if (ticket) sources.push({ kind: 'seeder', nodeId: ticket.seederId, url: ticket.url });
    this.options.events?.publish('layerLocated', {
      digest: req.digest,
      ...(req.nodeId ? { requester: req.nodeId } : {}),
      sources: sources.length,
      ...(sources[0] ? { best: sources[0].kind } : {}),
      ...(ticket ? { jobId: ticket.jobId } : {}),
    });
    return { digest: req.digest, ...(size !== undefined ? { size } : {}), sources, ...(ticket ? { jobId: ticket.jobId } : {}) };
  }

  private async startJob(req: LocateBlobRequest): Promise<JobTicket | undefined> {
    const { jobs, onJobError } = this.options;
    if (!jobs || !req.registry || !req.repository) return undefined;
    try {
      return await jobs.ensureJob({
        digest: req.digest,
        registry: req.registry,
        repository: req.repository,
        ...(req.size !== undefined ? { size: req.size } : {}),
        ...(req.authorization ? { authorization: req.authorization } : {}),
      });
    } catch (e) {
      // No job is no failure: the edge-proxy fetches from the upstream itself.
      onJobError?.(e);
      return undefined;
    }
  }
}
