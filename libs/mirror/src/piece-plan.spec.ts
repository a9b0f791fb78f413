import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MiB, pieceLength, pieceSizeFor, planPieces } from './piece-plan.js';

describe('planPieces', () => {
  it('uses the 4 MiB floor for blobs up to about 2 GB', () => {
    assert.equal(pieceSizeFor(1), 4 * MiB);
    assert.equal(pieceSizeFor(40 * MiB), 4 * MiB);
    assert.equal(pieceSizeFor(500 * 4 * MiB), 4 * MiB);
  });

  it('grows the piece in whole MiB so that there are at most 500 pieces', () => {
    assert.equal(pieceSizeFor(500 * 4 * MiB + 1), 5 * MiB);
    assert.equal(pieceSizeFor(10 * 1024 * MiB), 21 * MiB);
    for (const size of [2001 * MiB, 3 * 1024 ** 3 + 7, 10 * 1024 ** 3, 50 * 1024 ** 3 - 1]) {
      const pieces = planPieces(size);
      assert.ok(pieces.length <= 500, `${size}: ${pieces.length} pieces`);
      assert.equal(pieceSizeFor(size) % MiB, 0);
    }
  });

  it('covers the blob with consecutive pieces, the last one possibly shorter', () => {
    const size = 40 * MiB + 12345;
    const pieces = planPieces(size);
    assert.equal(pieces.length, 11);
    let next = 0;
    for (const [i, p] of pieces.entries()) {
      assert.equal(p.index, i);
      assert.equal(p.start, next);
      next = p.end + 1;
    }
    assert.equal(next, size);
    assert.equal(pieceLength(pieces[10]!), 12345);
    assert.deepEqual(planPieces(3), [{ index: 0, start: 0, end: 2 }]);
  });

  it('honours other floors and counts, and refuses empty blobs', () => {
    assert.equal(planPieces(10 * MiB, { minBytes: MiB, maxPieces: 4 }).length, 4);
    assert.throws(() => planPieces(0), RangeError);
  });
});
