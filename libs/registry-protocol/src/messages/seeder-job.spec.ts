import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertRejected, digestFixture } from '../testing/fixtures.js';
import { validateMessage } from '../validate.js';
import { ACK, AckResponse } from './ack.js';
import { AssignJobRequest, AssignJobResponse, CompleteJobRequest, FailJobRequest, ReportJobProgressRequest } from './seeder-job.js';

const ids = { jobId: 'job-1', seederId: 'seeder-0', digest: digestFixture() };

describe('AssignJobRequest and AssignJobResponse', () => {
  it('accept an assignment and its answer', () => {
    validateMessage(AssignJobRequest, { jobId: 'job-1', digest: ids.digest, registry: 'ghcr.io', repository: 'org/app', size: 10, authorization: 'Bearer t' });
    validateMessage(AssignJobResponse, { jobId: 'job-1', seederId: 'seeder-0', accepted: true, url: 'http://seeder-0.seeder.svc:5001' });
    validateMessage(AssignJobResponse, { jobId: 'job-1', seederId: 'seeder-0', accepted: false, url: 'http://10.0.0.9:5001', reason: 'draining' });
  });

  it('reject job ids that could address other subjects and non-boolean acceptance', () => {
    assertRejected(AssignJobRequest, { jobId: 'job.>', digest: ids.digest, registry: 'ghcr.io', repository: 'org/app' }, 'jobId');
    assertRejected(AssignJobResponse, { jobId: 'j', seederId: 's', accepted: 'yes', url: 'http://s:1' }, 'accepted');
  });
});

describe('ReportJobProgressRequest, CompleteJobRequest and FailJobRequest', () => {
  it('accept well-formed reports', () => {
    validateMessage(ReportJobProgressRequest, { ...ids, bytes: 10, total: 100 });
    validateMessage(ReportJobProgressRequest, { ...ids, bytes: 10 });
    validateMessage(CompleteJobRequest, { ...ids, size: 100 });
    validateMessage(FailJobRequest, { ...ids, reason: 'upstream answered 429' });
  });

  it('reject progress beyond the total, fractional sizes and multi-line or overlong reasons', () => {
    assertRejected(ReportJobProgressRequest, { ...ids, bytes: 101, total: 100 }, 'bytes');
    assertRejected(CompleteJobRequest, { ...ids, size: 1.5 }, 'size');
    assertRejected(FailJobRequest, { ...ids, reason: 'ok\nFAKE LOG LINE' }, 'reason');
    assertRejected(FailJobRequest, { ...ids, reason: 'x'.repeat(1025) }, 'reason');
    assertRejected(FailJobRequest, { ...ids, seederId: '*', reason: 'x' }, 'seederId');
  });
});

describe('AckResponse', () => {
  it('accepts only ok: true', () => {
    validateMessage(AckResponse, ACK);
    assertRejected(AckResponse, { ok: false }, 'ok');
    assert.ok(Object.isFrozen(ACK));
  });
});
