import 'reflect-metadata';
import { ServiceNames } from '@accelerboat/registry-protocol';
import { packageVersion, runService } from '@accelerboat/service-kit';
import { layerIndexerConfig } from './layer-indexer.config.js';
import { LayerIndexerModule } from './layer-indexer.module.js';

await runService({
  service: ServiceNames.layerIndexer,
  version: packageVersion(import.meta.url),
  description: 'Finds layers already on this node and keeps the soft-state cluster index',
  config: layerIndexerConfig,
  subjectParams: (c) => ({ node: c.service.instanceId }),
  module: () => ({ module: LayerIndexerModule }),
});
