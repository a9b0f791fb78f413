import { Controller, Inject } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { FsBlobStore } from '@accelerboat/blob-store';
import { Endpoints, type CacheStatsResponse } from '@accelerboat/registry-protocol';
import { ServiceConfig } from '@accelerboat/service-kit';

/** NATS view of this node's cache, for `nats req p2p.edge-proxy.<node>.cache.stats.v1 '{}'`. */
@Controller()
export class CacheStatsController {
  constructor(
    @Inject(ServiceConfig) private readonly service: ServiceConfig,
    @Inject(FsBlobStore) private readonly store: FsBlobStore,
  ) {}

  @MessagePattern(Endpoints.cacheStats.subject)
  stats(): CacheStatsResponse {
    const s = this.store.stats();
    return { nodeId: this.service.instanceId, entries: s.entries, bytes: s.bytes, limitBytes: s.maxBytes, hits: 0, misses: 0 };
  }
}
