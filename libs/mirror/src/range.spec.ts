import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRange } from './range.js';
import { OciError } from './oci-error.js';

describe('parseRange', () => {
  it('returns the whole blob without a header or with a foreign unit', () => {
    assert.equal(parseRange(undefined, 10), undefined);
    assert.equal(parseRange('items=0-1', 10), undefined);
  });

  it('parses closed, open-ended and suffix ranges, clamping the end', () => {
    assert.deepEqual(parseRange('bytes=0-3', 10), { start: 0, end: 3 });
    assert.deepEqual(parseRange('bytes=4-', 10), { start: 4, end: 9 });
    assert.deepEqual(parseRange('bytes=5-100', 10), { start: 5, end: 9 });
    assert.deepEqual(parseRange('bytes=-3', 10), { start: 7, end: 9 });
    assert.deepEqual(parseRange('bytes=-30', 10), { start: 0, end: 9 });
  });

  it('answers 416 for unsatisfiable or multiple ranges', () => {
    for (const h of ['bytes=10-', 'bytes=5-2', 'bytes=-0', 'bytes=0-1,3-4', 'bytes=-']) {
      assert.throws(() => parseRange(h, 10), (e: unknown) => e instanceof OciError && e.status === 416, h);
    }
  });
});
