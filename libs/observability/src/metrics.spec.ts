import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMetricsRegistry, RpcMetrics } from './metrics.js';

describe('createMetricsRegistry', () => {
  it('keeps apps in one process apart and labels every series with the service', async () => {
    const a = createMetricsRegistry('seeder', 'a');
    const b = createMetricsRegistry('tracker', 'b');
    new RpcMetrics(a).requests.inc({ endpoint: 'job-assign', outcome: 'ok' });
    new RpcMetrics(b);
    const text = await a.metrics();
    assert.match(text, /p2p_rpc_server_requests_total\{endpoint="job-assign",outcome="ok",service="seeder",instance="a"\} 1/);
    assert.doesNotMatch(await b.metrics(), /job-assign/);
  });
});
