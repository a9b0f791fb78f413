import type { LayerIndex } from '@accelerboat/layer-index';
import type { PreloadImageRequest, PreloadImageResponse, PreloadJob } from '@accelerboat/registry-protocol';
import type { JobStarter } from './blob-locator.js';
import type { ImageBlob, ImageResolver } from './image-resolver.js';
import { mapLimit } from './map-limit.js';

/** Tuning and reporting of the ImagePreloader. */
export interface ImagePreloaderOptions {
  /** Blobs placed at once; each placement may wait up to twice JOB_ASSIGN_TIMEOUT_MS. */
  concurrency?: number;
  /** Told when starting a job failed (Redis or NATS trouble); the blob is then `unassigned`. */
  onJobError?: (error: unknown) => void;
}

/**
 * Brings an image into the cluster ahead of a rollout: every blob (config and layers) that no
 * node holds gets a seeder job through the JobScheduler, exactly as a cold pull's locate would
 * start it, so a later pull and the preload share one job per digest. It answers once the jobs
 * are placed; their progress is read with job-list or the job events.
 */
export class ImagePreloader {
  constructor(
    private readonly resolver: Pick<ImageResolver, 'resolve'>,
    private readonly index: Pick<LayerIndex, 'lookup'>,
    private readonly jobs: JobStarter,
    private readonly options: ImagePreloaderOptions = {},
  ) {}

  async preload(req: PreloadImageRequest): Promise<PreloadImageResponse> {
    const { blobs, ...image } = await this.resolver.resolve(req);
    // A manifest may list one layer twice (empty layers, say); one job serves both.
    const unique = [...new Map(blobs.map((b) => [b.digest, b])).values()];
    const jobs = await mapLimit(unique, this.options.concurrency ?? 4, (b) => this.ensure(image.registry, image.repository, b, req.authorization));
    return { ...image, jobs };
  }

  private async ensure(registry: string, repository: string, b: ImageBlob, authorization: string | undefined): Promise<PreloadJob> {
    const base = { digest: b.digest, size: b.size, kind: b.kind };
    const holders = await this.index.lookup(b.digest);
    if (holders.some((h) => h.size === b.size)) return { ...base, status: 'held' };
    try {
      const ticket = await this.jobs.ensureJob({ digest: b.digest, size: b.size, registry, repository, ...(authorization ? { authorization } : {}) });
      if (ticket) return { ...base, status: 'assigned', jobId: ticket.jobId, seederId: ticket.seederId };
      return { ...base, status: 'unassigned', reason: 'no live seeder accepted the job' };
    } catch (e) {
      this.options.onJobError?.(e);
      return { ...base, status: 'unassigned', reason: 'the job could not be started (see the coordinator log)' };
    }
  }
}
