import type { NatsRpcClient } from '@accelerboat/nats-transport';
import {
  Endpoints,
  type AckResponse,
  type CheckAccessRequest,
  type CheckAccessResponse,
  type CompleteJobRequest,
  type FailJobRequest,
  type GetManifestRequest,
  type GetManifestResponse,
  type GetTokenRequest,
  type GetTokenResponse,
  type HeadManifestRequest,
  type HeadManifestResponse,
  type LocateBlobRequest,
  type LocateBlobResponse,
  type ReportJobProgressRequest,
  type SeederHeartbeatRequest,
} from '@accelerboat/registry-protocol';

/**
 * The master-coordinator's API as other apps call it. Requests and replies are validated on both
 * sides; failures arrive as ProtocolErrors (TIMEOUT, UNAVAILABLE when no coordinator answers).
 */
export class CoordinatorClient {
  constructor(private readonly rpc: NatsRpcClient) {}

  /** Ranked sources for a blob; an empty list means "fetch it from the upstream yourself". */
  locate(req: LocateBlobRequest): Promise<LocateBlobResponse> {
    return this.rpc.request(Endpoints.blobLocate, req);
  }

  token(req: GetTokenRequest): Promise<GetTokenResponse> {
    return this.rpc.request(Endpoints.tokenGet, req);
  }

  /** Whether the client's credential may pull from the repository (converged, cached). */
  checkAccess(req: CheckAccessRequest): Promise<CheckAccessResponse> {
    return this.rpc.request(Endpoints.accessCheck, req);
  }

  headManifest(req: HeadManifestRequest): Promise<HeadManifestResponse> {
    return this.rpc.request(Endpoints.manifestHead, req);
  }

  getManifest(req: GetManifestRequest): Promise<GetManifestResponse> {
    return this.rpc.request(Endpoints.manifestGet, req);
  }

  heartbeat(req: SeederHeartbeatRequest): Promise<AckResponse> {
    return this.rpc.request(Endpoints.seederHeartbeat, req);
  }

  reportProgress(req: ReportJobProgressRequest): Promise<AckResponse> {
    return this.rpc.request(Endpoints.jobProgress, req);
  }

  completeJob(req: CompleteJobRequest): Promise<AckResponse> {
    return this.rpc.request(Endpoints.jobComplete, req);
  }

  failJob(req: FailJobRequest): Promise<AckResponse> {
    return this.rpc.request(Endpoints.jobFail, req);
  }
}
