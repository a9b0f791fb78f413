import { Controller, Inject } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { FsBlobStore } from '@accelerboat/blob-store';
import { Endpoints, type CacheStatsResponse } from '@accelerboat/registry-protocol';
import { MirrorMetrics } from '@accelerboat/observability';
import { ServiceConfig } from '@accelerboat/service-kit';

/** NATS view of this node's cache, for `nats req p2p.edge-proxy.<node>.cache.stats.v1 '{}'`. */
@Controller()
export class CacheStatsController {
  constructor(
    @Inject(ServiceConfig) private readonly service: ServiceConfig,
    @Inject(FsBlobStore) private readonly store: FsBlobStore,
    @Inject(MirrorMetrics) private readonly metrics: MirrorMetrics,
  ) {}

  @MessagePattern(Endpoints.cacheStats.subject)
  async stats(): Promise<CacheStatsResponse> {
    const s = this.store.stats();
    const count = async (outcome: string): Promise<number> =>
      (await this.metrics.blobRequests.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
    return { nodeId: this.service.instanceId, entries: s.entries, bytes: s.bytes, limitBytes: s.maxBytes, hits: await count('hit'), misses: await count('miss') };
  }
}
