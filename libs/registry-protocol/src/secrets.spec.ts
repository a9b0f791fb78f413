import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { REDACTED, redactSecrets } from './secrets.js';

describe('redactSecrets', () => {
  it('replaces authorization and token, keeps everything else, and leaves the input alone', () => {
    const message = { registry: 'ghcr.io', authorization: 'Basic dXNlcjpwdw==', token: 'eyJ...' };
    assert.deepEqual(redactSecrets(message), { registry: 'ghcr.io', authorization: REDACTED, token: REDACTED });
    assert.equal(message.authorization, 'Basic dXNlcjpwdw==');
  });

  it('does not add secret fields that were absent, and passes non-objects through', () => {
    assert.deepEqual(redactSecrets({ digest: 'x' }), { digest: 'x' });
    assert.equal(redactSecrets('text'), 'text');
    assert.equal(redactSecrets(null), null);
  });
});
