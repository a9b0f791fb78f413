import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { base64DecodedLength, base64EncodedLength, base64Problem } from './base64.js';

describe('base64Problem', () => {
  it('accepts canonical padded base64 and computes the decoded length without decoding', () => {
    for (const n of [0, 1, 2, 3, 4, 1000]) {
      const encoded = Buffer.alloc(n, 7).toString('base64');
      assert.equal(base64Problem(encoded, 1000), undefined);
      assert.equal(base64DecodedLength(encoded), n);
      assert.equal(base64EncodedLength(n), encoded.length);
    }
  });

  it('rejects url-safe, unpadded, whitespace and misplaced padding', () => {
    for (const bad of ['YQ', 'YQ=', 'Y===', '-_-_', 'YW Jj', 'YWJj\n', '=YWJ', 'YQ==YQ==', 'YR==', 'YWJ=']) {
      assert.equal(base64Problem(bad, 1000), 'must be standard padded base64', JSON.stringify(bad));
    }
  });

  it('handles a full 4 MiB body without exhausting the regex stack', () => {
    const body = Buffer.alloc(4 * 1024 * 1024, 0xab).toString('base64');
    assert.equal(base64Problem(body, 4 * 1024 * 1024), undefined);
    assert.equal(base64Problem(body.slice(0, -4) + 'AA!=', 4 * 1024 * 1024), 'must be standard padded base64');
  });

  it('rejects payloads that decode to more than the limit, even by one byte', () => {
    const limit = 4;
    assert.equal(base64Problem(Buffer.alloc(4).toString('base64'), limit), undefined);
    assert.equal(base64Problem(Buffer.alloc(5).toString('base64'), limit), 'must decode to at most 4 bytes');
    assert.equal(base64Problem('A'.repeat(1_000_000), limit), 'must decode to at most 4 bytes');
  });

  it('rejects a size that differs from the decoded length', () => {
    assert.equal(base64Problem('YWJj', 10, 4), 'decodes to 3 bytes but size is 4');
    assert.equal(base64Problem('YWJj', 10, 3), undefined);
  });

  it('rejects non-strings', () => {
    assert.equal(base64Problem(42, 10), 'must be a string');
  });
});
