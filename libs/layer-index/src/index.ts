export { LAYER_SOURCES, type LayerIndex, type LayerHolder, type AnnounceEntry, type LayerSource } from './layer-index.js';
export { RedisLayerIndex } from './redis-layer-index.js';
export { MemoryLayerIndex } from './memory-layer-index.js';
export { layerIndexConformance, testClock, type TestClock } from './layer-index.conformance.js';
export { LocalBlobStores } from './local-blob-stores.js';
export { LayerIndexerClient } from './layer-indexer.client.js';
