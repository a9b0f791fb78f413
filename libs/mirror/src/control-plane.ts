import type {
  AnnounceLayersRequest,
  CheckAccessRequest,
  CheckAccessResponse,
  GetManifestRequest,
  GetManifestResponse,
  GetTokenRequest,
  GetTokenResponse,
  HeadManifestRequest,
  HeadManifestResponse,
  LocateBlobRequest,
  LocateBlobResponse,
} from '@accelerboat/registry-protocol';

/**
 * What the mirror asks the rest of the cluster (the coordinator and the layer index). In the app
 * it is CoordinatorClient + LayerIndexerClient over NATS; in unit tests an in-memory fake. Every
 * call may fail (NATS down, no coordinator): the mirror then falls back to the upstream.
 */
export interface ControlPlane {
  /** Ranked sources of a blob; empty when the caller should go upstream itself. */
  locate(req: LocateBlobRequest): Promise<LocateBlobResponse>;
  /** Whether a credential may pull from a repository (converged, cached). */
  checkAccess(req: CheckAccessRequest): Promise<CheckAccessResponse>;
  headManifest(req: HeadManifestRequest): Promise<HeadManifestResponse>;
  getManifest(req: GetManifestRequest): Promise<GetManifestResponse>;
  token(req: GetTokenRequest): Promise<GetTokenResponse>;
  /** Tells the index this node now holds blobs. */
  announce(req: AnnounceLayersRequest): Promise<unknown>;
}
