import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressTicker } from './progress-ticker.js';

describe('ProgressTicker.tick', () => {
  it('reports only when the bytes moved, and calls a body idle once nothing arrived for idleMs', () => {
    let now = 0;
    let bytes = 0;
    const reports: number[] = [];
    const idles: number[] = [];
    const t = new ProgressTicker({ intervalMs: 500, idleMs: 2000, now: () => now, read: () => ({ bytes, total: 10 }), report: (b) => reports.push(b), onIdle: (ms) => idles.push(ms) });
    t.tick();
    now = 500;
    t.tick();
    bytes = 7;
    now = 1000;
    t.tick();
    now = 2900;
    t.tick();
    assert.deepEqual(idles, []);
    now = 3000;
    t.tick();
    assert.deepEqual(reports, [0, 7]);
    assert.deepEqual(idles, [2000]);
  });
});
