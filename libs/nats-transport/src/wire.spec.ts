import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { headers, ErrorCode as NatsErrorCode, NatsError } from 'nats';
import { ProtocolError } from '@accelerboat/registry-protocol';
import { decodeJson, encodeJson, errorFromNats, errorFromReply, errorReply, ServiceErrorHeaders } from './wire.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

function replyHeaders(code: string, description?: string) {
  const h = headers();
  h.set(ServiceErrorHeaders.code, code);
  if (description !== undefined) h.set(ServiceErrorHeaders.description, description);
  return h;
}

describe('decodeJson', () => {
  it('decodes a JSON payload', () => {
    assert.deepEqual(decodeJson(bytes('{"digest":"sha256:abc"}')), { digest: 'sha256:abc' });
  });

  for (const [name, payload] of [
    ['empty bytes', new Uint8Array()],
    ['text that is not JSON', bytes('digest=sha256:abc')],
    ['truncated JSON', bytes('{"digest":')],
    ['invalid UTF-8', Uint8Array.from([0xff, 0xfe, 0x7b, 0x7d])],
  ] as const) {
    it(`turns ${name} into INVALID_ARGUMENT`, () => {
      assert.throws(() => decodeJson(payload), (e: unknown) => ProtocolError.is(e, 'INVALID_ARGUMENT'));
    });
  }
});

describe('errorReply', () => {
  it('carries a ProtocolError with its status, a CODE: message description and the ErrorBody', () => {
    const reply = errorReply(new ProtocolError('NOT_FOUND', 'no node holds the blob'));
    assert.equal(reply.status, 404);
    assert.equal(reply.description, 'NOT_FOUND: no node holds the blob');
    assert.deepEqual(JSON.parse(text(reply.body)), { error: { code: 'NOT_FOUND', message: 'no node holds the blob' } });
  });

  it('hides everything about a non-protocol error behind INTERNAL', () => {
    const reply = errorReply(new Error('redis password hunter2 rejected'));
    assert.equal(reply.status, 500);
    assert.equal(reply.description, 'INTERNAL: internal error');
    assert.ok(!text(reply.body).includes('hunter2'));
  });

  it('keeps header values on one line', () => {
    const reply = errorReply(new ProtocolError('CONFLICT', 'line one\r\nline two'));
    assert.equal(reply.description, 'CONFLICT: line one line two');
  });
});

describe('errorFromReply', () => {
  it('returns undefined for a successful reply', () => {
    assert.equal(errorFromReply(undefined, bytes('{}')), undefined);
    assert.equal(errorFromReply(headers(), bytes('{}')), undefined);
  });

  it('round-trips a ProtocolError with its fields through headers and body', () => {
    const sent = new ProtocolError('INVALID_ARGUMENT', 'digest: bad', [{ field: 'digest', problems: ['bad'] }]);
    const reply = errorReply(sent);
    const got = errorFromReply(replyHeaders(String(reply.status), reply.description), reply.body);
    assert.ok(got instanceof ProtocolError);
    assert.equal(got.code, 'INVALID_ARGUMENT');
    assert.equal(got.message, 'digest: bad');
    assert.deepEqual(got.fields, [{ field: 'digest', problems: ['bad'] }]);
  });

  it('maps the numeric header when there is no ErrorBody (a foreign service)', () => {
    const got = errorFromReply(replyHeaders('503', 'no peers'), new Uint8Array());
    assert.equal(got?.code, 'UNAVAILABLE');
    assert.equal(got?.message, 'no peers');
  });

  it('strips our own CODE: prefix when only headers arrived', () => {
    assert.equal(errorFromReply(replyHeaders('404', 'NOT_FOUND: gone'), bytes('garbage'))?.message, 'gone');
  });

  it('ignores a body that is not an ErrorBody', () => {
    const got = errorFromReply(replyHeaders('429', 'slow down'), bytes('{"error":{"code":"NOPE","message":1}}'));
    assert.equal(got?.code, 'RESOURCE_EXHAUSTED');
    assert.equal(got?.message, 'slow down');
  });

  it('maps unknown statuses by class and garbage statuses to INTERNAL', () => {
    assert.equal(errorFromReply(replyHeaders('418'), new Uint8Array())?.code, 'INVALID_ARGUMENT');
    assert.equal(errorFromReply(replyHeaders('599'), new Uint8Array())?.code, 'INTERNAL');
    assert.equal(errorFromReply(replyHeaders('abc'), new Uint8Array())?.code, 'INTERNAL');
  });
});

describe('errorFromNats', () => {
  it('maps a request timeout to TIMEOUT', () => {
    assert.equal(errorFromNats(NatsError.errorForCode(NatsErrorCode.Timeout), 's').code, 'TIMEOUT');
  });

  it('maps no responders and a closed connection to UNAVAILABLE', () => {
    assert.equal(errorFromNats(NatsError.errorForCode(NatsErrorCode.NoResponders), 's').code, 'UNAVAILABLE');
    assert.equal(errorFromNats(NatsError.errorForCode(NatsErrorCode.ConnectionClosed), 's').code, 'UNAVAILABLE');
  });

  it('keeps a ProtocolError as it is and wraps anything else as INTERNAL', () => {
    const pe = new ProtocolError('INVALID_ARGUMENT', 'x');
    assert.equal(errorFromNats(pe, 's'), pe);
    assert.equal(errorFromNats(new TypeError('boom'), 's').code, 'INTERNAL');
  });
});

describe('encodeJson', () => {
  it('writes plain JSON without any envelope', () => {
    assert.equal(text(encodeJson({ digest: 'sha256:abc', sources: [] })), '{"digest":"sha256:abc","sources":[]}');
  });
});
