import { ServiceNames } from '@accelerboat/registry-protocol';
import { packageVersion, type ServiceDefinition } from '@accelerboat/service-kit';
import { layerIndexerConfig } from './layer-indexer.config.js';
import { LayerIndexerModule } from './layer-indexer.module.js';

/** The layer-indexer as a service: what main.ts runs and what the app's integration spec boots in-process. */
export const layerIndexerDefinition: ServiceDefinition<typeof layerIndexerConfig> = {
  service: ServiceNames.layerIndexer,
  version: packageVersion(import.meta.url),
  description: 'Finds layers already on this node and keeps the soft-state cluster index',
  config: layerIndexerConfig,
  subjectParams: (c) => ({ node: c.service.instanceId }),
  module: () => ({ module: LayerIndexerModule }),
};
