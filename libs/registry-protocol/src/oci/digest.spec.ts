import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError } from '../errors.js';
import { HOSTILE_STRINGS, NON_STRINGS } from '../testing/fixtures.js';
import { Digest, DIGEST_MAX_LENGTH, digestProblem, InvalidDigestError, isDigest } from './digest.js';

const HEX64 = 'a'.repeat(64);

describe('isDigest', () => {
  it('accepts sha256 with 64 and sha512 with 128 lowercase hex characters', () => {
    assert.ok(isDigest(`sha256:${HEX64}`));
    assert.ok(isDigest(`sha512:${'0123456789abcdef'.repeat(8)}`));
  });

  it('rejects hex parts one character too short or too long', () => {
    assert.equal(digestProblem(`sha256:${'a'.repeat(63)}`), 'sha256 hex part must be 64 characters');
    assert.equal(digestProblem(`sha256:${'a'.repeat(65)}`), 'sha256 hex part must be 64 characters');
    assert.equal(digestProblem(`sha512:${HEX64}`), 'sha512 hex part must be 128 characters');
  });

  it('rejects uppercase and non-hex characters', () => {
    assert.equal(digestProblem(`sha256:${'A'.repeat(64)}`), 'hex part must be lowercase hexadecimal');
    assert.equal(digestProblem(`sha256:${'g'.repeat(64)}`), 'hex part must be lowercase hexadecimal');
    assert.equal(digestProblem('sha256:zz'), 'hex part must be lowercase hexadecimal');
  });

  it('rejects algorithms it cannot verify, and uppercase algorithm names', () => {
    assert.match(digestProblem(`md5:${'a'.repeat(32)}`)!, /algorithm "md5" is not supported/);
    assert.match(digestProblem(`SHA256:${HEX64}`)!, /not supported/);
    assert.match(digestProblem(`sha384:${'a'.repeat(96)}`)!, /not supported/);
  });

  it('rejects whitespace, NUL bytes, newlines and unicode look-alikes anywhere', () => {
    for (const bad of [` sha256:${HEX64}`, `sha256:${HEX64} `, `sha256:${HEX64}\n`, `sha256:${HEX64.slice(1)}\u0000`, `sha256:${'а'.repeat(64)}`, `sha256 :${HEX64}`]) {
      assert.equal(isDigest(bad), false, JSON.stringify(bad));
    }
  });

  it('rejects path traversal and empty parts', () => {
    for (const bad of ['sha256:', ':', `sha256:../${HEX64.slice(3)}`, `sha256/${HEX64}`, `sha256:${HEX64}/..`]) {
      assert.equal(isDigest(bad), false, bad);
    }
  });

  it('rejects overlong input before matching it', () => {
    assert.equal(digestProblem(`sha256:${'a'.repeat(10_000)}`), 'is too long');
    assert.equal(DIGEST_MAX_LENGTH, 135);
  });

  it('rejects hostile strings and non-strings', () => {
    for (const bad of HOSTILE_STRINGS) assert.equal(isDigest(bad), false, JSON.stringify(bad));
    for (const bad of NON_STRINGS) assert.equal(digestProblem(bad), 'must be a string');
  });

  it('never quotes more than 16 characters of a bad algorithm', () => {
    const problem = digestProblem(`${'x'.repeat(100)}:${HEX64}`)!;
    assert.ok(problem.length < 80, problem);
  });
});

describe('Digest.parse', () => {
  it('splits a valid digest into algorithm and hex and prints it back', () => {
    const d = Digest.parse(`sha256:${HEX64}`);
    assert.equal(d.algorithm, 'sha256');
    assert.equal(d.hex, HEX64);
    assert.equal(String(d), `sha256:${HEX64}`);
  });

  it('throws an InvalidDigestError that is an INVALID_ARGUMENT ProtocolError', () => {
    assert.throws(() => Digest.parse('sha256:zz'), (e: unknown) => {
      assert.ok(e instanceof InvalidDigestError);
      assert.ok(ProtocolError.is(e, 'INVALID_ARGUMENT'));
      assert.match(e.message, /^digest hex part/);
      return true;
    });
  });
});
