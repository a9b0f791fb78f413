import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SourceHealth } from './source-health.js';

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('SourceHealth', () => {
  it('avoids a blacklisted source until the blacklisting expires', () => {
    const c = clock();
    const health = new SourceHealth({ blacklistMs: 60_000, now: c.now });
    assert.equal(health.isHealthy('http://a'), true);
    assert.equal(health.blacklist('http://a', 'stalled'), true);
    assert.equal(health.isHealthy('http://a'), false);
    assert.equal(health.reason('http://a'), 'stalled');
    assert.equal(health.isHealthy('http://b'), true);
    c.advance(59_999);
    assert.equal(health.isHealthy('http://a'), false);
    c.advance(1);
    assert.equal(health.isHealthy('http://a'), true);
    assert.equal(health.size, 0);
  });

  it('reports a blacklisting once, extends it, and keeps "corrupt" as the reason', () => {
    const c = clock();
    const health = new SourceHealth({ blacklistMs: 1000, now: c.now });
    assert.equal(health.blacklist('x', 'corrupt'), true);
    c.advance(900);
    assert.equal(health.blacklist('x', 'failed'), false);
    c.advance(900);
    assert.equal(health.isHealthy('x'), false);
    assert.equal(health.reason('x'), 'corrupt');
  });
});
