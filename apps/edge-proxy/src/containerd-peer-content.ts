import { Inject, type OnApplicationShutdown } from '@nestjs/common';
import { Containerd, ContainerdConfig } from '@accelerboat/containerd-client';
import type { PeerContentSource } from '@accelerboat/peer-http';
import { EdgeProxyConfig } from './edge-proxy.config.js';

/**
 * This node's containerd content store as the peer endpoint's fallback: layers the node got
 * without the mirror (imported, pulled before AccelerBoat, preloaded) are announced by the
 * layer-indexer with this node's peer URL, so the edge-proxy must be able to serve them.
 * containerd verified the content on ingest, so it is served as committed. Nothing connects
 * before the first peer asks for a blob the cache does not hold.
 */
export class ContainerdPeerContent implements OnApplicationShutdown {
  /** Undefined when CONTAINERD_PEER_SERVING is off. */
  readonly source?: PeerContentSource;
  private readonly containerd?: Containerd;

  constructor(@Inject(EdgeProxyConfig) app: EdgeProxyConfig, @Inject(ContainerdConfig) cfg: ContainerdConfig) {
    if (!app.containerdPeerServing) return;
    this.containerd = Containerd.fromConfig(cfg);
    this.source = this.containerd.content;
  }

  onApplicationShutdown(): void {
    this.containerd?.close();
  }
}
