import { layerIndexConformance } from './layer-index.conformance.js';
import { MemoryLayerIndex } from './memory-layer-index.js';

layerIndexConformance('MemoryLayerIndex', async (clock) => new MemoryLayerIndex(clock.now));
