import { Module } from '@nestjs/common';
import { RegistryController } from './registry.controller.js';
import { CacheStatsController } from './cache-stats.controller.js';

@Module({ controllers: [RegistryController, CacheStatsController] })
export class EdgeProxyModule {}
