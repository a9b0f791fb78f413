import { Module } from '@nestjs/common';
import { BlobLocator, SeederRegistry } from '@accelerboat/coordination';
import { RedisLayerIndex } from '@accelerboat/layer-index';
import { REDIS, type Redis } from '@accelerboat/redis-client';
import { CoordinatorConfig } from './master-coordinator.config.js';
import { LocateController } from './locate.controller.js';
import { SeederController } from './seeder.controller.js';
import { ConvergenceController } from './convergence.controller.js';

@Module({
  controllers: [LocateController, SeederController, ConvergenceController],
  providers: [
    { provide: BlobLocator, useFactory: (redis: Redis) => new BlobLocator(new RedisLayerIndex(redis)), inject: [REDIS] },
    {
      provide: SeederRegistry,
      useFactory: (redis: Redis, cfg: CoordinatorConfig) => new SeederRegistry(redis, cfg.seederTtlSeconds),
      inject: [REDIS, CoordinatorConfig],
    },
  ],
})
export class CoordinatorModule {}
