import { describe, it, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { LayerIndex } from './layer-index.js';

/** A controllable clock for TTL behaviour. */
export interface TestClock {
  now: () => number;
  advance(ms: number): void;
}

export function testClock(start = Date.now()): TestClock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

const digest = (): string => `sha256:${createHash('sha256').update(randomBytes(16)).digest('hex')}`;

/**
 * The behaviour every LayerIndex must have. The in-memory fake and the Redis adapter both run
 * it, so the fake cannot drift from the real thing.
 */
export function layerIndexConformance(name: string, make: (clock: TestClock) => Promise<LayerIndex>): void {
  describe(`${name} (LayerIndex conformance)`, () => {
    let clock: TestClock;
    let index: LayerIndex;
    beforeEach(async () => {
      clock = testClock();
      index = await make(clock);
    });

    it('returns no holders for a digest nobody announced', async () => {
      assert.deepEqual(await index.lookup(digest()), []);
    });

    it('returns every node that announced a digest, most recent first, with its url and size', async () => {
      const d = digest();
      await index.announce('node-a', 'http://a:5080', [{ digest: d, size: 10, source: 'edge-cache' }], 60);
      clock.advance(10);
      await index.announce('node-b', undefined, [{ digest: d, size: 10, source: 'containerd' }], 60);
      const holders = await index.lookup(d);
      assert.deepEqual(holders.map((h) => [h.nodeId, h.source, h.url]), [['node-b', 'containerd', undefined], ['node-a', 'edge-cache', 'http://a:5080']]);
      assert.equal(holders[0]!.size, 10);
    });

    it('forgets a claim once its ttl passes unless re-announced', async () => {
      const d = digest();
      await index.announce('node-a', undefined, [{ digest: d, size: 1, source: 'seeder' }], 5);
      await index.announce('node-b', undefined, [{ digest: d, size: 1, source: 'seeder' }], 5);
      clock.advance(4000);
      await index.announce('node-b', undefined, [{ digest: d, size: 1, source: 'seeder' }], 5);
      clock.advance(2000);
      assert.deepEqual((await index.lookup(d)).map((h) => h.nodeId), ['node-b']);
    });

    it('withdraws only the named node and counts what it removed', async () => {
      const d = digest();
      await index.announce('node-a', undefined, [{ digest: d, size: 1, source: 'edge-cache' }], 60);
      await index.announce('node-b', undefined, [{ digest: d, size: 1, source: 'edge-cache' }], 60);
      assert.equal(await index.withdraw('node-a', [d, digest()]), 1);
      assert.deepEqual((await index.lookup(d)).map((h) => h.nodeId), ['node-b']);
    });

    it('keeps one entry per digest when the same layer comes from two registries', async () => {
      const d = digest();
      await index.announce('node-a', undefined, [{ digest: d, size: 7, source: 'edge-cache' }, { digest: d, size: 7, source: 'edge-cache' }], 60);
      assert.equal((await index.lookup(d)).length, 1);
    });

    it("keeps a node's edge-cache claim and its seeder claim apart", async () => {
      const d = digest();
      await index.announce('node-a', 'http://a:5080', [{ digest: d, size: 3, source: 'edge-cache' }], 60);
      await index.announce('node-a', 'http://a:5083', [{ digest: d, size: 3, source: 'seeder' }], 60);
      assert.deepEqual((await index.lookup(d)).map((h) => [h.nodeId, h.source, h.url]).sort(), [['node-a', 'edge-cache', 'http://a:5080'], ['node-a', 'seeder', 'http://a:5083']]);
      assert.equal(await index.withdraw('node-a', [d], 'edge-cache'), 1);
      assert.deepEqual((await index.lookup(d)).map((h) => h.source), ['seeder']);
      assert.equal(await index.withdraw('node-a', [d]), 1);
      assert.deepEqual(await index.lookup(d), []);
    });

    it('accepts a large announce batch', async () => {
      const entries = Array.from({ length: 2000 }, () => ({ digest: digest(), size: 1, source: 'containerd' as const }));
      assert.equal(await index.announce('node-a', undefined, entries, 60), 2000);
      assert.equal((await index.lookup(entries[1999]!.digest)).length, 1);
    });
  });
}
