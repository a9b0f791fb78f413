import type { NatsRpcClient } from '@accelerboat/nats-transport';
import {
  Endpoints,
  type AnnounceLayersRequest,
  type AnnounceLayersResponse,
  type LookupLayerRequest,
  type LookupLayerResponse,
  type VerifyLayerRequest,
  type VerifyLayerResponse,
  type WithdrawLayersRequest,
  type WithdrawLayersResponse,
} from '@accelerboat/registry-protocol';

/** The layer-indexer's API as other apps call it. */
export class LayerIndexerClient {
  constructor(private readonly rpc: NatsRpcClient) {}

  announce(req: AnnounceLayersRequest): Promise<AnnounceLayersResponse> {
    return this.rpc.request(Endpoints.layerAnnounce, req);
  }

  withdraw(req: WithdrawLayersRequest): Promise<WithdrawLayersResponse> {
    return this.rpc.request(Endpoints.layerWithdraw, req);
  }

  lookup(req: LookupLayerRequest): Promise<LookupLayerResponse> {
    return this.rpc.request(Endpoints.layerLookup, req);
  }

  /** Asks the indexer of one node whether that node still holds the blob. */
  verify(nodeId: string, req: VerifyLayerRequest): Promise<VerifyLayerResponse> {
    return this.rpc.request(Endpoints.layerVerify, req, { params: { node: nodeId } });
  }
}
