import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { LocalBlobStores, type LayerIndex } from '@accelerboat/layer-index';
import {
  Endpoints,
  AnnounceLayersRequest,
  LookupLayerRequest,
  VerifyLayerRequest,
  WithdrawLayersRequest,
  type AnnounceLayersResponse,
  type LookupLayerResponse,
  type VerifyLayerResponse,
  type WithdrawLayersResponse,
} from '@accelerboat/registry-protocol';
import { LayerIndexerConfig } from './layer-indexer.config.js';

export const LAYER_INDEX = Symbol('LAYER_INDEX');

@Controller()
export class IndexController {
  constructor(
    @Inject(LAYER_INDEX) private readonly index: LayerIndex,
    @Inject(LocalBlobStores) private readonly local: LocalBlobStores,
    @Inject(LayerIndexerConfig) private readonly cfg: LayerIndexerConfig,
  ) {}

  @MessagePattern(Endpoints.layerAnnounce.subject)
  async announce(@Payload() req: AnnounceLayersRequest): Promise<AnnounceLayersResponse> {
    const accepted = await this.index.announce(req.nodeId, req.url, req.entries, req.ttlSeconds ?? this.cfg.indexTtlSeconds);
    return { accepted };
  }

  @MessagePattern(Endpoints.layerWithdraw.subject)
  async withdraw(@Payload() req: WithdrawLayersRequest): Promise<WithdrawLayersResponse> {
    return { removed: await this.index.withdraw(req.nodeId, req.digests, req.source) };
  }

  @MessagePattern(Endpoints.layerLookup.subject)
  async lookup(@Payload() req: LookupLayerRequest): Promise<LookupLayerResponse> {
    const holders = await this.index.lookup(req.digest);
    return {
      digest: req.digest,
      holders: holders.map((h) => ({ nodeId: h.nodeId, size: h.size, source: h.source, lastSeen: new Date(h.lastSeen).toISOString(), ...(h.url ? { url: h.url } : {}) })),
    };
  }

  /** Answers for this node only (the subject carries its node id): is the blob really on disk? */
  @MessagePattern(Endpoints.layerVerify.subject)
  async verify(@Payload() req: VerifyLayerRequest): Promise<VerifyLayerResponse> {
    const size = await this.local.sizeOf(req.digest);
    return { digest: req.digest, present: size !== undefined && size === req.size, ...(size !== undefined ? { size } : {}) };
  }
}
