import { describe, it } from 'node:test';
import { assertRejected } from '../testing/fixtures.js';
import { validateMessage } from '../validate.js';
import { CacheStatsResponse, GetCacheStatsRequest } from './cache-stats.js';

const stats = { nodeId: 'node-1', entries: 10, bytes: 1 << 30, limitBytes: 2 ** 40, hits: 100, misses: 5 };

describe('GetCacheStatsRequest and CacheStatsResponse', () => {
  it('accept an empty request and a stats reply', () => {
    validateMessage(GetCacheStatsRequest, {});
    validateMessage(CacheStatsResponse, stats);
  });

  it('reject a missing count and a node id with a dot', () => {
    const { misses: _, ...partial } = stats;
    assertRejected(CacheStatsResponse, partial, 'misses');
    assertRejected(CacheStatsResponse, { ...stats, nodeId: 'node.1' }, 'nodeId');
  });
});
