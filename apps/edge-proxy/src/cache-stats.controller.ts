import { Controller, Inject } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { Endpoints, type CacheStatsResponse } from '@accelerboat/registry-protocol';
import { ServiceConfig } from '@accelerboat/service-kit';

/** NATS view of this node's cache, for `nats req p2p.edge-proxy.<node>.cache.stats.v1 '{}'`. */
@Controller()
export class CacheStatsController {
  constructor(@Inject(ServiceConfig) private readonly service: ServiceConfig) {}

  @MessagePattern(Endpoints.cacheStats.subject)
  stats(): CacheStatsResponse {
    // The blob cache arrives with the mirror path; until then it is honestly empty.
    return { nodeId: this.service.instanceId, entries: 0, bytes: 0, limitBytes: 0, hits: 0, misses: 0 };
  }
}
