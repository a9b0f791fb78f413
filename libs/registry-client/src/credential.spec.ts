import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { format, inspect } from 'node:util';
import { ProtocolError } from '@accelerboat/registry-protocol';
import { ANONYMOUS, authorizationHeader, basicCredential, bearerCredential, credentialFromAuthorization, fingerprint, Fingerprinter, type Credential } from './credential.js';

const SECRET = 'pa55-w0rd-xyz';
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('credentialFromAuthorization', () => {
  it('reads no header as anonymous, Basic as username and password, Bearer as a token', () => {
    assert.equal(credentialFromAuthorization(undefined), ANONYMOUS);
    assert.equal(credentialFromAuthorization(''), ANONYMOUS);
    const basic = credentialFromAuthorization(`basic ${b64('alice:s3:cr:et')}`);
    assert.equal(basic.kind, 'basic');
    assert.deepEqual(basic.kind === 'basic' && [basic.username, basic.password], ['alice', 's3:cr:et']);
    const bearer = credentialFromAuthorization('Bearer abc.def.ghi');
    assert.equal(bearer.kind === 'bearer' && bearer.token, 'abc.def.ghi');
  });

  it('refuses malformed headers with INVALID_ARGUMENT that never quotes the value', () => {
    for (const h of ['Basic', `Basic ${b64('nocolon')}`, `Basic ${b64(':empty-user')}`, 'Basic !!!', `Digest ${SECRET}`, `Bearer ${SECRET} extra`, `Bearer ${SECRET}\n`, `Bearer ${'x'.repeat(9000)}`]) {
      assert.throws(() => credentialFromAuthorization(h), (e: unknown) => ProtocolError.is(e, 'INVALID_ARGUMENT') && !e.message.includes(SECRET), h.slice(0, 30));
    }
  });

  it('round-trips through authorizationHeader', () => {
    const header = `Basic ${b64('bob:hunter2')}`;
    assert.equal(authorizationHeader(credentialFromAuthorization(header)), header);
    assert.equal(authorizationHeader(credentialFromAuthorization('Bearer t0k')), 'Bearer t0k');
    assert.equal(authorizationHeader(ANONYMOUS), undefined);
  });
});

describe('fingerprint', () => {
  it('gives the same credential the same fingerprint, also when built twice', () => {
    assert.equal(fingerprint(basicCredential('alice', 'x')), fingerprint(basicCredential('alice', 'x')));
    assert.equal(fingerprint(credentialFromAuthorization(`Basic ${b64('alice:x')}`)), fingerprint(basicCredential('alice', 'x')));
    assert.equal(fingerprint(ANONYMOUS), 'anonymous');
  });

  it('never collides for different credentials, including ambiguous splits and kinds', () => {
    const creds: Credential[] = [
      ANONYMOUS,
      basicCredential('a', 'b:c'),
      basicCredential('a:b', 'c'),
      basicCredential('ab', 'c'),
      basicCredential('a', 'bc'),
      basicCredential('alice', ''),
      basicCredential('alice', 'x'),
      basicCredential('Alice', 'x'),
      bearerCredential('a:bc'),
      bearerCredential('x'),
      bearerCredential('anonymous'),
    ];
    const fps = creds.map(fingerprint);
    assert.equal(new Set(fps).size, creds.length);
  });

  it('is a keyed HMAC: 64 hex characters, different under another key, no trace of the secret', () => {
    const c = basicCredential('alice', SECRET);
    assert.match(fingerprint(c), /^[0-9a-f]{64}$/);
    assert.notEqual(new Fingerprinter().fingerprint(c), fingerprint(c));
    const key = Buffer.alloc(32, 7);
    assert.equal(new Fingerprinter(key).fingerprint(c), new Fingerprinter(key).fingerprint(basicCredential('alice', SECRET)));
    assert.ok(!fingerprint(c).includes(Buffer.from(SECRET).toString('hex')));
  });
});

describe('credential redaction', () => {
  it('never shows the secret in JSON, inspect, format, spread or keys', () => {
    for (const c of [basicCredential('alice', SECRET), bearerCredential(SECRET), credentialFromAuthorization(`Basic ${b64(`alice:${SECRET}`)}`)]) {
      const shown = [JSON.stringify(c), JSON.stringify({ nested: [c] }), inspect(c), inspect({ deep: { c } }, { depth: 5 }), format('%o %O %j %s', c, c, c, c), JSON.stringify({ ...c }), Object.keys(c).join()];
      for (const s of shown) assert.ok(!s.includes(SECRET), s);
    }
    assert.deepEqual(JSON.parse(JSON.stringify(basicCredential('alice', SECRET))), { kind: 'basic', username: 'alice', secret: '[redacted]' });
  });

  it('still hands the secret to code that asks for it by name', () => {
    const c = basicCredential('alice', SECRET);
    assert.equal(c.kind === 'basic' && c.password, SECRET);
    assert.ok(Object.isFrozen(c));
  });
});
