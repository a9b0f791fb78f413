import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Containerd } from '@accelerboat/containerd-client';
import { LocalContentAnnouncer } from '@accelerboat/layer-index';

/**
 * Starts announcing this node's blobs once the app is up; on shutdown stops announcing first
 * (while Redis is still there for the writes under way), then closes the containerd channel.
 * Claims are not withdrawn on shutdown: a restarted indexer announces them again well within
 * their TTL, and a node that is really gone drops out when they expire.
 */
@Injectable()
export class LayerIndexerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    @Inject(LocalContentAnnouncer) private readonly announcer: LocalContentAnnouncer,
    @Inject(Containerd) private readonly containerd: Containerd,
  ) {}

  onApplicationBootstrap(): void {
    this.announcer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.announcer.stop();
  }

  onApplicationShutdown(): void {
    this.containerd.close();
  }
}
