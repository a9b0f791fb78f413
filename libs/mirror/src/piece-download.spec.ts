import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { FsBlobStore } from '@accelerboat/blob-store';
import { collect, tempStore, testBlob } from './multi-source.fixture.js';
import { PieceDownload } from './piece-download.js';
import { planPieces } from './piece-plan.js';
import type { PieceSource } from './piece-source.js';
import { SourceHealth } from './source-health.js';

const KiB = 1024;

// An in-process source; `gate` can hold a piece back until the test lets it go.
function memorySource(key: string, body: Buffer, requested: number[], gate?: (start: number) => Promise<void>): PieceSource {
  return {
    key,
    nodeId: key,
    kind: 'peer',
    async fetch(range, _signal, reader) {
      reader.sent();
      requested.push(range.start);
      await gate?.(range.start);
      await reader.body(Readable.from([body.subarray(range.start, range.end + 1)]));
    },
  };
}

const neverUpstream: PieceSource = { key: 'upstream', kind: 'upstream', fetch: () => Promise.reject(new Error('upstream not expected')) };

describe('PieceDownload', () => {
  let store: FsBlobStore;
  let cleanup: () => Promise<void>;
  before(async () => ({ store, cleanup } = await tempStore()));
  after(() => cleanup());

  it('holds at most the window of pieces in memory while the head piece is late, and writes in order', async () => {
    const blob = testBlob(64 * 64 * KiB);
    const pieces = planPieces(blob.body.length, { minBytes: 64 * KiB, maxPieces: 1000 });
    assert.equal(pieces.length, 64);
    const window = 4;
    const requested: number[] = [];
    let completedOthers = 0;
    let release!: () => void;
    const headHeld = new Promise<void>((r) => (release = r));
    let snapshot: { requested: number[]; buffered: number } | undefined;
    const gate = async (start: number): Promise<void> => {
      if (start === 0) return headHeld;
      if (snapshot) return;
      // Once every other piece of the window has landed, look at the state, then free the head.
      if (++completedOthers === window - 1) {
        setImmediate(() => {
          snapshot = { requested: requested.map((s) => s / (64 * KiB)), buffered: download.bufferedBytes };
          release();
        });
      }
    };
    const source = memorySource('a', blob.body, requested, gate);
    const download = new PieceDownload({ digest: blob.digest, pieces, sources: [source], upstream: neverUpstream, health: new SourceHealth(), concurrency: window, perSource: window, stallMs: 60_000 });
    const writer = store.write(blob.digest, { expectedSize: blob.body.length });
    const follower = collect(store.follow(blob.digest).stream);
    await download.run(writer);
    await writer.commit();

    assert.ok(snapshot);
    assert.deepEqual(snapshot.requested.sort((a, b) => a - b), [0, 1, 2, 3], 'nothing beyond the window was fetched while piece 0 was late');
    assert.equal(snapshot.buffered, (window - 1) * 64 * KiB, 'the pieces behind the late one waited in memory');
    assert.ok(download.peakBufferedBytes <= window * 64 * KiB, `peak ${download.peakBufferedBytes}`);
    assert.equal(download.bufferedBytes, 0);
    assert.equal(download.records.length, 64);
    assert.ok((await follower).equals(blob.body));
  });

  it('spreads pieces over sources, a bounded number per source', async () => {
    const blob = testBlob(32 * 64 * KiB);
    const pieces = planPieces(blob.body.length, { minBytes: 64 * KiB, maxPieces: 1000 });
    const inFlight = new Map<string, number>();
    let maxPerSource = 0;
    const counting = (key: string): PieceSource => {
      const inner = memorySource(key, blob.body, []);
      return {
        ...inner,
        async fetch(range, signal, reader) {
          inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
          maxPerSource = Math.max(maxPerSource, inFlight.get(key)!);
          await new Promise((r) => setImmediate(r));
          try {
            await inner.fetch(range, signal, reader);
          } finally {
            inFlight.set(key, inFlight.get(key)! - 1);
          }
        },
      };
    };
    const download = new PieceDownload({ digest: blob.digest, pieces, sources: ['a', 'b', 'c'].map(counting), upstream: neverUpstream, health: new SourceHealth(), concurrency: 8, perSource: 2, stallMs: 60_000 });
    const writer = store.write(blob.digest, { expectedSize: blob.body.length });
    await download.run(writer);
    await writer.commit();
    assert.ok(maxPerSource <= 2, `max per source ${maxPerSource}`);
    assert.deepEqual([...download.bytesBySource.keys()].sort(), ['a', 'b', 'c']);
  });
});
