import type { Provider } from '@nestjs/common';
import { ClusterViews, ImageLayers, ImagePreloader, ImageResolver, JobScheduler, ManifestService, SeederRegistry } from '@accelerboat/coordination';
import { RedisLayerIndex } from '@accelerboat/layer-index';
import type { Logger } from '@accelerboat/observability';
import { REDIS, type Redis } from '@accelerboat/redis-client';
import { LOGGER } from '@accelerboat/service-kit';

/**
 * What operators ask the coordinator (the `accelerboat` CLI): jobs, seeders, where an image's
 * layers are, and preloads. Images resolve through the same ManifestService as the edges' pulls,
 * and preloads start jobs through the same JobScheduler as a cold locate.
 */
export const clusterProviders: Provider[] = [
  {
    provide: ClusterViews,
    useFactory: (jobs: JobScheduler, seeders: SeederRegistry) => new ClusterViews(jobs, seeders),
    inject: [JobScheduler, SeederRegistry],
  },
  {
    provide: ImageResolver,
    useFactory: (manifests: ManifestService) => new ImageResolver(manifests),
    inject: [ManifestService],
  },
  {
    provide: ImageLayers,
    useFactory: (resolver: ImageResolver, redis: Redis) => new ImageLayers(resolver, new RedisLayerIndex(redis)),
    inject: [ImageResolver, REDIS],
  },
  {
    provide: ImagePreloader,
    useFactory: (resolver: ImageResolver, redis: Redis, jobs: JobScheduler, logger: Logger) =>
      new ImagePreloader(resolver, new RedisLayerIndex(redis), jobs, {
        onJobError: (e) => logger.warn({ err: (e as Error).message }, 'preload could not start a seeder job'),
      }),
    inject: [ImageResolver, REDIS, JobScheduler, LOGGER],
  },
];
