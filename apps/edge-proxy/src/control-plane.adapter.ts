import type { CoordinatorClient } from '@accelerboat/coordination';
import type { LayerIndexerClient } from '@accelerboat/layer-index';
import type { ControlPlane } from '@accelerboat/mirror';
import type { AnnounceLayersRequest } from '@accelerboat/registry-protocol';

/** The mirror's ControlPlane over NATS: the coordinator for convergence, the indexer for announcements. */
export class NatsControlPlane implements ControlPlane {
  constructor(
    private readonly coordinator: CoordinatorClient,
    private readonly indexer: LayerIndexerClient,
  ) {}

  locate: ControlPlane['locate'] = (req) => this.coordinator.locate(req);
  checkAccess: ControlPlane['checkAccess'] = (req) => this.coordinator.checkAccess(req);
  headManifest: ControlPlane['headManifest'] = (req) => this.coordinator.headManifest(req);
  getManifest: ControlPlane['getManifest'] = (req) => this.coordinator.getManifest(req);
  token: ControlPlane['token'] = (req) => this.coordinator.token(req);
  announce = (req: AnnounceLayersRequest): Promise<unknown> => this.indexer.announce(req);
}
