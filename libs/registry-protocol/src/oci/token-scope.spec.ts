import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidReferenceError } from './reference.js';
import { isTokenScope, parseTokenScope, repositoryScope, tokenScopeProblem } from './token-scope.js';

describe('isTokenScope', () => {
  it('accepts repository scopes with one or more actions', () => {
    for (const scope of ['repository:library/ubuntu:pull', 'repository:a/b:pull,push', 'repository:a:*']) assert.ok(isTokenScope(scope), scope);
  });

  it('rejects other resource types, so a node cannot ask for broader tokens', () => {
    assert.equal(tokenScopeProblem('registry:catalog:*'), 'must be repository:<name>:<actions>');
    assert.equal(isTokenScope('repository(plugin):a:pull'), false);
  });

  it('rejects bad repository names, including traversal', () => {
    assert.match(tokenScopeProblem('repository:../etc:pull')!, /must name a valid repository/);
    assert.equal(isTokenScope('repository:Library/ubuntu:pull'), false);
    assert.equal(isTokenScope('repository::pull'), false);
  });

  it('rejects empty, uppercase or too many actions and extra colons', () => {
    for (const bad of ['repository:a:', 'repository:a:PULL', 'repository:a:pull,', 'repository:a:pull:push', `repository:a:${Array(9).fill('pull').join(',')}`, 'repository:a:pull push']) {
      assert.equal(isTokenScope(bad), false, bad);
    }
  });

  it('rejects overlong input and non-strings', () => {
    assert.match(tokenScopeProblem(`repository:${'a'.repeat(600)}:pull`)!, /at most 512/);
    assert.equal(tokenScopeProblem(7), 'must be a string');
  });
});

describe('parseTokenScope', () => {
  it('splits a scope into name and actions', () => {
    assert.deepEqual(parseTokenScope('repository:a/b:pull,push'), { type: 'repository', name: 'a/b', actions: ['pull', 'push'] });
  });

  it('throws InvalidReferenceError for a bad scope', () => {
    assert.throws(() => parseTokenScope('registry:catalog:*'), InvalidReferenceError);
  });
});

describe('repositoryScope', () => {
  it('builds a pull scope by default and refuses invalid names', () => {
    assert.equal(repositoryScope('library/ubuntu'), 'repository:library/ubuntu:pull');
    assert.equal(repositoryScope('a', ['pull', 'push']), 'repository:a:pull,push');
    assert.throws(() => repositoryScope('../x'), InvalidReferenceError);
  });
});
