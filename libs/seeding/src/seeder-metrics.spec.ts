import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { SeederMetrics } from './seeder-metrics.js';

describe('SeederMetrics', () => {
  it('exposes store figures at scrape time and counts jobs, downloads and peer traffic', async () => {
    const registry = new Registry();
    const m = new SeederMetrics(registry, { stats: () => ({ entries: 3, bytes: 3000, maxBytes: 10_000, inProgress: 1, reservedBytes: 5 }) });
    m.jobStarted();
    m.jobStarted();
    m.jobEnded('completed');
    m.downloaded(1234);
    m.peerServed(200, 500);
    m.peerServed(401, 0);
    const text = await registry.metrics();
    for (const line of [
      'p2p_seeder_store_bytes 3000',
      'p2p_seeder_store_entries 3',
      'p2p_seeder_store_capacity_bytes 10000',
      'p2p_seeder_jobs_active 1',
      'p2p_seeder_jobs_total{outcome="completed"} 1',
      'p2p_seeder_jobs_total{outcome="failed"} 0',
      'p2p_seeder_downloaded_bytes_total 1234',
      'p2p_seeder_peer_served_bytes_total 500',
      'p2p_seeder_peer_requests_total{status="401"} 1',
    ]) {
      assert.ok(text.includes(line), `missing ${line}`);
    }
    assert.equal(m.bytesServed, 500);
  });
});
