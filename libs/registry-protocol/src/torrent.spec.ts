import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { infoHashProblem, isInfoHash } from './torrent.js';

describe('isInfoHash', () => {
  it('accepts 40 lowercase hex characters only', () => {
    assert.ok(isInfoHash('0123456789abcdef0123456789abcdef01234567'));
    assert.equal(infoHashProblem('0123456789ABCDEF0123456789ABCDEF01234567'), 'must be lowercase hexadecimal');
    assert.equal(infoHashProblem('a'.repeat(39)), 'must be 40 hex characters');
    assert.equal(infoHashProblem('a'.repeat(64)), 'must be 40 hex characters');
    assert.equal(infoHashProblem(`${'a'.repeat(39)}\u0000`), 'must be lowercase hexadecimal');
    assert.equal(infoHashProblem(null), 'must be a string');
  });
});
