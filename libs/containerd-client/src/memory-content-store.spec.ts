import { contentStoreConformance } from './content-store.conformance.js';
import { MemoryContentStore } from './memory-content-store.js';

contentStoreConformance('MemoryContentStore', async () => {
  const store = new MemoryContentStore();
  return {
    store,
    add: async (bytes, labels) => store.put(bytes, labels),
    remove: async (digest) => store.delete(digest),
  };
});
