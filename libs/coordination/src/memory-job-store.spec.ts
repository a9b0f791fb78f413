import { jobStoreConformance } from './job-store.conformance.js';
import { MemoryJobStore } from './memory-job-store.js';

let t = 1_000_000;
jobStoreConformance('MemoryJobStore', async () => ({
  store: new MemoryJobStore({ now: () => t }),
  now: () => t,
  elapse: async (ms) => void (t += ms),
}));
