import type { Provider } from '@nestjs/common';
import { Containerd, ContainerdConfig } from '@accelerboat/containerd-client';
import { announceGroups, ContainerdProvider, LocalBlobStores, LocalContentAnnouncer, RedisLayerIndex, type LayerIndex } from '@accelerboat/layer-index';
import type { Logger } from '@accelerboat/observability';
import { REDIS, type Redis } from '@accelerboat/redis-client';
import { LOGGER, ServiceConfig } from '@accelerboat/service-kit';
import { LAYER_INDEX } from './index.controller.js';
import { LayerIndexerConfig } from './layer-indexer.config.js';

/** How the indexer's parts are built from validated config and the process's shared clients. */
export const layerIndexerProviders: Provider[] = [
  { provide: LAYER_INDEX, useFactory: (redis: Redis) => new RedisLayerIndex(redis), inject: [REDIS] },
  {
    provide: Containerd,
    useFactory: (cfg: ContainerdConfig, logger: Logger) => {
      // A node without containerd (or with it restarting) keeps being retried; one warning per outage is enough.
      let failures = 0;
      return Containerd.fromConfig(cfg, {
        onError: (err, retryInMs) =>
          logger[failures++ === 0 ? 'warn' : 'debug']({ context: 'containerd', socket: cfg.socket, err: (err as Error).message, retryInMs }, 'containerd event subscription failed; retrying'),
      });
    },
    inject: [ContainerdConfig, LOGGER],
  },
  {
    provide: LocalBlobStores,
    useFactory: (cfg: LayerIndexerConfig, containerd: Containerd) => new LocalBlobStores(cfg.blobDirSpecs.map((d) => d.path), containerd.content),
    inject: [LayerIndexerConfig, Containerd],
  },
  {
    provide: LocalContentAnnouncer,
    useFactory: (cfg: LayerIndexerConfig, svc: ServiceConfig, index: LayerIndex, containerd: Containerd, logger: Logger) => {
      const log = logger.child({ context: 'announcer' });
      const provider = new ContainerdProvider(containerd.content, containerd.events, {
        onError: (err) => log.error({ err: (err as Error).message }, 'containerd refused the event subscription; only the periodic re-list follows it now'),
        onSubscribed: (resumed) => log.info({ namespace: containerd.namespace, resumed }, 'following containerd content and image events'),
      });
      const { groups, skipped } = announceGroups({ blobDirs: cfg.blobDirSpecs, peerUrl: cfg.peerUrl, containerd: provider });
      if (skipped.length) log.warn({ skipped }, 'PEER_URL is not set: these local stores are not announced');
      return new LocalContentAnnouncer({ index, nodeId: svc.instanceId, ttlSeconds: cfg.indexTtlSeconds, groups, logger: log });
    },
    inject: [LayerIndexerConfig, ServiceConfig, LAYER_INDEX, Containerd, LOGGER],
  },
];
