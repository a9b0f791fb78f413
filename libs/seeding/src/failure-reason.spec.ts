import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError } from '@accelerboat/registry-protocol';
import { DownloadStalledError, failureReason, REASON_MAX, secretsOf } from './failure-reason.js';

describe('failureReason', () => {
  it('keeps the protocol error code and the message', () => {
    assert.equal(failureReason(new ProtocolError('NOT_FOUND', 'upstream answered HTTP 404')), 'NOT_FOUND: upstream answered HTTP 404');
    assert.equal(failureReason(new DownloadStalledError(61_000)), 'no bytes from the upstream for 61 s');
    assert.equal(failureReason('weird'), 'unknown error');
  });

  it('masks URL userinfo, the given secrets and control characters, and stays short', () => {
    const authorization = `Basic ${Buffer.from('alice:s3cret-pass').toString('base64')}`;
    const err = new Error(`proxy http://bob:hunter22@proxy:3128 refused\r\nsent ${authorization} and s3cret-pass`);
    const reason = failureReason(err, secretsOf(authorization));
    assert.equal(reason, 'proxy http://***@proxy:3128 refused sent *** and ***');
    assert.equal(failureReason(new Error('x'.repeat(5000))).length, REASON_MAX);
  });

  it('finds the parts of Bearer and Basic values', () => {
    assert.deepEqual(secretsOf('Bearer abc.def.ghi'), ['Bearer abc.def.ghi', 'abc.def.ghi']);
    assert.deepEqual(secretsOf(undefined), []);
    assert.ok(secretsOf(`Basic ${Buffer.from('u:pw-1234').toString('base64')}`).includes('pw-1234'));
  });
});
