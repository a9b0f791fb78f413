import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError } from './errors.js';
import { LocateBlobRequest } from './messages/blob-locate.js';
import { AnnounceLayersRequest } from './messages/layer-index.js';
import { GetTokenRequest } from './messages/token.js';
import { GetTrackerStatsRequest } from './messages/tracker-stats.js';
import { assertRejected, digestFixture } from './testing/fixtures.js';
import { MAX_PAYLOAD_DEPTH, MAX_REPORTED_FIELDS, validateMessage } from './validate.js';

const entry = (digest = digestFixture()) => ({ digest, size: 1, source: 'seeder' });

describe('validateMessage', () => {
  it('returns an instance of the DTO class for a valid payload', () => {
    const req = validateMessage(LocateBlobRequest, { digest: digestFixture(), size: 10 });
    assert.ok(req instanceof LocateBlobRequest);
    assert.equal(req.size, 10);
  });

  it('rejects payloads that are not JSON objects', () => {
    for (const bad of [null, undefined, [], 'x', 42, true]) {
      assert.throws(() => validateMessage(LocateBlobRequest, bad), (e: unknown) => ProtocolError.is(e, 'INVALID_ARGUMENT') && /LocateBlobRequest/.test(e.message));
    }
  });

  it('names the bad field first in the message and in fields', () => {
    const e = assertRejected(LocateBlobRequest, { digest: 'sha256:zz' }, 'digest');
    assert.deepEqual(e.fields, [{ field: 'digest', problems: ['hex part must be lowercase hexadecimal'] }]);
    assert.equal(e.status, 400);
  });

  it('names nested fields by their path', () => {
    assertRejected(AnnounceLayersRequest, { nodeId: 'n1', entries: [entry(), entry('sha256:00')] }, 'entries.1.digest');
  });

  it('rejects unknown properties at the top level and inside nested objects', () => {
    const e = assertRejected(LocateBlobRequest, { digest: digestFixture(), digets: 'typo' }, 'digets');
    assert.equal(e.message, 'digets: is not an allowed property');
    assertRejected(AnnounceLayersRequest, { nodeId: 'n1', entries: [{ ...entry(), extra: 1 }] }, 'entries.0.extra');
  });

  it('rejects prototype keys instead of silently dropping them', () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const payload: unknown = JSON.parse(`{"digest":"${digestFixture()}","${key}":{"polluted":true}}`);
      assertRejected(LocateBlobRequest, payload, key);
    }
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('rejects deeply nested payloads without overflowing the stack', () => {
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 100_000; i++) deep = (deep['a'] = {}) as Record<string, unknown>;
    const e = assertRejected(LocateBlobRequest, { digest: digestFixture(), x: root }, 'x'.concat('.a'.repeat(MAX_PAYLOAD_DEPTH - 1)));
    assert.match(e.message, /nested more than 16 levels/);
  });

  it('reports at most MAX_REPORTED_FIELDS fields and counts the rest', () => {
    const entries = Array.from({ length: 100 }, () => entry('bad'));
    const e = assertRejected(AnnounceLayersRequest, { nodeId: 'n1', entries }, 'entries.0.digest');
    assert.equal(e.fields?.length, MAX_REPORTED_FIELDS);
    assert.match(e.message, /, and 80 more$/);
  });

  it('never quotes the rejected value, so secrets stay out of errors and logs', () => {
    const secret = 'Bearer s3cr3t\r\nX-Evil: 1';
    const e = assertRejected(GetTokenRequest, { registry: 'ghcr.io', realm: 'https://ghcr.io/token', scopes: [], authorization: secret }, 'authorization');
    assert.equal(e.message.includes('s3cr3t'), false);
    assert.equal(JSON.stringify(e.toBody()).includes('s3cr3t'), false);
  });

  it('reports only the type problem when a value has the wrong type', () => {
    const e = assertRejected(GetTokenRequest, { registry: 'ghcr.io', realm: 'https://ghcr.io/t', scopes: [], service: 12 }, 'service');
    assert.deepEqual(e.fields?.[0]?.problems, ['must be a string']);
  });

  it('rejects arrays where nested objects belong, which ValidateNested alone lets through', () => {
    const e = assertRejected(AnnounceLayersRequest, { nodeId: 'n1', entries: [[entry()]] }, 'entries');
    assert.equal(e.message, 'entries: item 0 must be an object');
    assertRejected(AnnounceLayersRequest, { nodeId: 'n1', entries: ['x'] }, 'entries');
    assertRejected(AnnounceLayersRequest, { nodeId: 'n1', entries: 'x' }, 'entries');
  });

  it('accepts {} for a DTO without fields and rejects any property on it', () => {
    assert.ok(validateMessage(GetTrackerStatsRequest, {}) instanceof GetTrackerStatsRequest);
    assertRejected(GetTrackerStatsRequest, { verbose: true }, 'verbose');
  });

  it('treats null in an optional field as absent and removes it', () => {
    const req = validateMessage(LocateBlobRequest, { digest: digestFixture(), size: null, nodeId: null });
    assert.equal(Object.hasOwn(req, 'size'), false);
    assert.equal(Object.hasOwn(req, 'nodeId'), false);
    assertRejected(LocateBlobRequest, { digest: null }, 'digest');
  });

  it('keeps hostile property names short and printable in messages', () => {
    const key = `a\n${'b'.repeat(1000)}`;
    const e = assertRejected(LocateBlobRequest, { digest: digestFixture(), [key]: 1 }, JSON.stringify(key.slice(0, 32)) + '…');
    assert.equal(e.message.includes('\n'), false);
    assert.ok(e.message.length < 120);
  });

  it('does not convert types implicitly', () => {
    assertRejected(LocateBlobRequest, { digest: digestFixture(), size: '10' }, 'size');
  });
});
