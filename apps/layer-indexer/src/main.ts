import 'reflect-metadata';
import { runService } from '@accelerboat/service-kit';
import { layerIndexerDefinition } from './layer-indexer.definition.js';

await runService(layerIndexerDefinition);
