import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError } from '../errors.js';
import { digestFixture, HOSTILE_STRINGS, NON_STRINGS } from '../testing/fixtures.js';
import { InvalidReferenceError, isRepositoryName, isTag, parseReference, referenceProblem, repositoryNameProblem, tagProblem } from './reference.js';

describe('isRepositoryName', () => {
  it('accepts the names registries serve', () => {
    for (const name of ['ubuntu', 'library/ubuntu', 'a/b/c/d', 'my-org/my.app_v2', 'a__b', 'a---b', 'x1/y2', 'gcr.io-mirror/pause']) {
      assert.ok(isRepositoryName(name), name);
    }
  });

  it('rejects path traversal in repository names', () => {
    assert.equal(repositoryNameProblem('..'), 'must not contain "." or ".." path components');
    assert.equal(repositoryNameProblem('library/../etc'), 'must not contain "." or ".." path components');
    assert.equal(repositoryNameProblem('./a'), 'must not contain "." or ".." path components');
    assert.equal(isRepositoryName('../etc/passwd'), false);
    assert.equal(isRepositoryName('a/..'), false);
    assert.equal(isRepositoryName('%2e%2e/a'), false);
    assert.equal(isRepositoryName('a/%2E%2E'), false);
    assert.equal(isRepositoryName('a\\..\\b'), false);
  });

  it('rejects leading, trailing and doubled slashes', () => {
    assert.equal(repositoryNameProblem('/library/ubuntu'), 'must not start or end with "/"');
    assert.equal(repositoryNameProblem('library/ubuntu/'), 'must not start or end with "/"');
    assert.equal(repositoryNameProblem('library//ubuntu'), 'must not contain empty path components ("//")');
    assert.equal(isRepositoryName('/'), false);
  });

  it('rejects uppercase', () => {
    assert.equal(repositoryNameProblem('Library/ubuntu'), 'must be lowercase');
  });

  it('rejects separators at the edges of a component or doubled dots', () => {
    for (const name of ['-a', 'a-', '.a', 'a.', '_a', 'a_', 'a___b', 'a..b', 'a._b', 'a/b./c']) {
      assert.equal(isRepositoryName(name), false, name);
    }
  });

  it('rejects names longer than 255 characters and accepts exactly 255', () => {
    assert.ok(isRepositoryName('a'.repeat(255)));
    assert.equal(repositoryNameProblem('a'.repeat(256)), 'must be at most 255 characters');
    assert.ok(isRepositoryName(`${'a'.repeat(127)}/${'b'.repeat(127)}`));
  });

  it('rejects a registry host or tag mixed into the name', () => {
    for (const name of ['localhost:5000/a', 'ubuntu:latest', `ubuntu@${digestFixture()}`]) {
      assert.equal(isRepositoryName(name), false, name);
    }
  });

  it('rejects whitespace, NUL bytes, unicode look-alikes and non-strings', () => {
    for (const bad of HOSTILE_STRINGS) assert.equal(isRepositoryName(bad), false, JSON.stringify(bad));
    for (const bad of ['ubuntu\u0000', 'ubuntu\n', 'ubu ntu', '\u0430lpine', 'ｕbuntu']) assert.equal(isRepositoryName(bad), false, bad);
    for (const bad of NON_STRINGS) assert.equal(repositoryNameProblem(bad), 'must be a string');
  });
});

describe('isTag', () => {
  it('accepts tags of the distribution grammar', () => {
    for (const tag of ['latest', 'v1.2.3', '1.0-rc.1', '_internal', 'A', 'x'.repeat(128), 'UPPER_case']) assert.ok(isTag(tag), tag);
  });

  it('rejects tags that start with "." or "-", or are longer than 128 characters', () => {
    assert.equal(tagProblem('.hidden'), 'must start with a letter, a digit or "_"');
    assert.equal(tagProblem('-rc'), 'must start with a letter, a digit or "_"');
    assert.equal(tagProblem('x'.repeat(129)), 'must be at most 128 characters');
  });

  it('rejects traversal, separators and hostile input', () => {
    for (const bad of ['..', '../x', 'a/b', 'a:b', 'a@b', 'a+b', 'v1%2f', ...HOSTILE_STRINGS]) assert.equal(isTag(bad), false, JSON.stringify(bad));
    for (const bad of NON_STRINGS) assert.equal(isTag(bad), false);
  });
});

describe('parseReference', () => {
  it('reads a tag as a tag and a digest as a digest', () => {
    assert.deepEqual(parseReference('latest'), { kind: 'tag', value: 'latest' });
    const d = digestFixture();
    assert.deepEqual(parseReference(d), { kind: 'digest', value: d });
  });

  it('explains which grammar a bad reference failed', () => {
    assert.match(referenceProblem('sha256:zz')!, /as a digest it hex part must be lowercase hexadecimal/);
    assert.match(referenceProblem('.bad')!, /as a tag it must start with/);
    assert.match(referenceProblem(`sha256:${'a'.repeat(63)}`)!, /64 characters/);
  });

  it('throws InvalidReferenceError (INVALID_ARGUMENT) for anything else', () => {
    for (const bad of ['', '..', 'a/b', `md5:${'a'.repeat(32)}`, 'sha256:', 'tag\u0000', 42, null]) {
      assert.throws(() => parseReference(bad), (e: unknown) => e instanceof InvalidReferenceError && ProtocolError.is(e, 'INVALID_ARGUMENT'));
    }
  });
});
