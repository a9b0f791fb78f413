import { Module } from '@nestjs/common';
import { IndexController } from './index.controller.js';
import { LayerIndexerLifecycle } from './layer-indexer-lifecycle.service.js';
import { layerIndexerProviders } from './layer-indexer.providers.js';

/** The layer-indexer: the index endpoints (NATS) and the announcer of this node's own blobs. */
@Module({ controllers: [IndexController], providers: [...layerIndexerProviders, LayerIndexerLifecycle] })
export class LayerIndexerModule {}
