import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapTransportError, mapUpstreamError, parseOciErrors, UpstreamError } from './upstream-errors.js';

const oci = (code: string, message = 'm') => JSON.stringify({ errors: [{ code, message, detail: {} }] });

describe('mapUpstreamError', () => {
  it('maps statuses to protocol codes', () => {
    const cases: [number, string][] = [[401, 'UNAUTHORIZED'], [403, 'FORBIDDEN'], [404, 'NOT_FOUND'], [429, 'RESOURCE_EXHAUSTED'], [400, 'INVALID_ARGUMENT'], [416, 'INVALID_ARGUMENT'], [500, 'UPSTREAM_ERROR'], [502, 'UPSTREAM_ERROR'], [503, 'UPSTREAM_ERROR'], [418, 'UPSTREAM_ERROR']];
    for (const [status, code] of cases) assert.equal(mapUpstreamError(status).code, code, String(status));
  });

  it('keeps the OCI error code and message of the body', () => {
    const e = mapUpstreamError(404, Buffer.from(oci('MANIFEST_UNKNOWN', 'manifest unknown')));
    assert.ok(e instanceof UpstreamError);
    assert.equal(e.upstreamCode, 'MANIFEST_UNKNOWN');
    assert.equal(e.upstreamStatus, 404);
    assert.match(e.message, /HTTP 404: MANIFEST_UNKNOWN manifest unknown/);
    assert.equal(mapUpstreamError(429, oci('TOOMANYREQUESTS')).upstreamCode, 'TOOMANYREQUESTS');
  });

  it('ignores bodies that are not OCI error JSON', () => {
    for (const body of ['', 'not json', '{"errors":"x"}', '{"errors":[{"code":"lower case"}]}', 'null', '[]', '{"errors":[null,1]}', 'x'.repeat(100_000)]) {
      assert.deepEqual(parseOciErrors(body), [], body.slice(0, 20));
      assert.equal(mapUpstreamError(500, body).upstreamCode, undefined);
    }
    assert.equal(parseOciErrors(JSON.stringify({ errors: [{ code: 'DENIED', message: 'a\u0000\nb' }] }))[0]!.message, 'a??b');
  });
});

describe('mapTransportError', () => {
  it('maps timeouts to TIMEOUT and other failures to UNAVAILABLE without the original (it holds headers)', () => {
    const timeout = Object.assign(new Error('Timeout awaiting response for 30000ms'), { name: 'TimeoutError', code: 'ETIMEDOUT' });
    assert.equal(mapTransportError(timeout).code, 'TIMEOUT');
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', options: { headers: { authorization: 'Basic c2VjcmV0' } } });
    const mapped = mapTransportError(refused);
    assert.equal(mapped.code, 'UNAVAILABLE');
    assert.match(mapped.message, /ECONNREFUSED/);
    assert.equal(mapped.cause, undefined);
  });

  it('passes protocol errors through', () => {
    const e = mapUpstreamError(404);
    assert.equal(mapTransportError(e), e);
  });
});
