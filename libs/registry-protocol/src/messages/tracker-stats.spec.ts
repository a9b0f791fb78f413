import { describe, it } from 'node:test';
import { assertRejected } from '../testing/fixtures.js';
import { validateMessage } from '../validate.js';
import { GetTrackerStatsRequest, TrackerStatsResponse } from './tracker-stats.js';

const torrent = { infoHash: 'a'.repeat(40), complete: 3, incomplete: 1, bytesReported: 1024 };

describe('GetTrackerStatsRequest and TrackerStatsResponse', () => {
  it('accept an empty request and a stats reply', () => {
    validateMessage(GetTrackerStatsRequest, {});
    validateMessage(TrackerStatsResponse, { swarms: 1, peers: 4, seeders: 3, leechers: 1, torrents: [torrent], truncated: false });
  });

  it('reject a bad info hash by path and negative counts', () => {
    assertRejected(TrackerStatsResponse, { swarms: 1, peers: 4, seeders: 3, leechers: 1, torrents: [{ ...torrent, infoHash: 'A'.repeat(40) }] }, 'torrents.0.infoHash');
    assertRejected(TrackerStatsResponse, { swarms: -1, peers: 4, seeders: 3, leechers: 1, torrents: [] }, 'swarms');
  });
});
