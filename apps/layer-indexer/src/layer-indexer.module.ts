import { Module } from '@nestjs/common';
import { RedisLayerIndex } from '@accelerboat/layer-index';
import { REDIS, type Redis } from '@accelerboat/redis-client';
import { LocalBlobStores } from '@accelerboat/layer-index';
import { IndexController, LAYER_INDEX } from './index.controller.js';
import { LayerIndexerConfig } from './layer-indexer.config.js';

@Module({
  controllers: [IndexController],
  providers: [
    { provide: LAYER_INDEX, useFactory: (redis: Redis) => new RedisLayerIndex(redis), inject: [REDIS] },
    {
      provide: LocalBlobStores,
      useFactory: (cfg: LayerIndexerConfig) => new LocalBlobStores(cfg.blobDirs.split(',').map((d) => d.trim()).filter(Boolean)),
      inject: [LayerIndexerConfig],
    },
  ],
})
export class LayerIndexerModule {}
