import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findChallenge, MAX_CHALLENGES, parseWwwAuthenticate, type AuthChallenge } from './www-authenticate.js';

// Params are prototype-less objects; compare them as plain ones.
const plain = (cs: AuthChallenge[]) => cs.map((c) => ({ scheme: c.scheme, params: { ...c.params } }));

describe('parseWwwAuthenticate', () => {
  it('reads docker-registry bearer challenges', () => {
    const h = 'Bearer realm="http://127.0.0.1:5003/service/token",service="lab-registry",scope="repository:test/img1:pull"';
    assert.deepEqual(plain(parseWwwAuthenticate(h)), [
      { scheme: 'bearer', params: { realm: 'http://127.0.0.1:5003/service/token', service: 'lab-registry', scope: 'repository:test/img1:pull' } },
    ]);
  });

  it('lowercases schemes and parameter names, and allows spaces around "="', () => {
    assert.deepEqual(plain(parseWwwAuthenticate('BEARER Realm = "r" ,  SERVICE=svc')), [{ scheme: 'bearer', params: { realm: 'r', service: 'svc' } }]);
    assert.equal(findChallenge(parseWwwAuthenticate('bAsIc realm="x"'), 'basic')?.params.realm, 'x');
  });

  it('unescapes quoted strings and keeps commas and quotes inside them', () => {
    const h = 'Bearer realm="https://auth.example/token?a=1,b=2",scope="repository:a/b:pull,push",error="say \\"hi\\", then \\\\go"';
    const [c] = parseWwwAuthenticate(h);
    assert.equal(c!.params.realm, 'https://auth.example/token?a=1,b=2');
    assert.equal(c!.params.scope, 'repository:a/b:pull,push');
    assert.equal(c!.params.error, 'say "hi", then \\go');
  });

  it('splits several challenges in one header, and several header lines', () => {
    const h = 'Basic realm="basic-realm", Bearer realm="https://a/token",service="s", Negotiate abc==';
    assert.deepEqual(plain(parseWwwAuthenticate(h)), [
      { scheme: 'basic', params: { realm: 'basic-realm' } },
      { scheme: 'bearer', params: { realm: 'https://a/token', service: 's' } },
      { scheme: 'negotiate', params: { token68: 'abc==' } },
    ]);
    assert.deepEqual(parseWwwAuthenticate(['Basic realm="a"', 'Bearer realm="b"']).map((c) => c.scheme), ['basic', 'bearer']);
  });

  it('accepts schemes without parameters and unquoted values', () => {
    assert.deepEqual(plain(parseWwwAuthenticate('Bearer')), [{ scheme: 'bearer', params: {} }]);
    assert.deepEqual(plain(parseWwwAuthenticate('Basic, Bearer realm=https://a/t')), [
      { scheme: 'basic', params: {} },
      { scheme: 'bearer', params: { realm: 'https://a/t' } },
    ]);
  });

  it('keeps the first of a repeated parameter, so a later one cannot override the realm', () => {
    assert.equal(parseWwwAuthenticate('Bearer realm="https://good/t",realm="https://evil/t"')[0]!.params.realm, 'https://good/t');
  });

  it('treats __proto__ and constructor as ordinary keys', () => {
    const [c] = parseWwwAuthenticate('Bearer __proto__="x",constructor="y"');
    assert.equal(Object.getPrototypeOf(c!.params), null);
    assert.equal(c!.params.constructor, 'y');
    assert.equal(Object.hasOwn(c!.params, '__proto__'), true);
    assert.equal(({} as Record<string, unknown>).x, undefined);
    assert.equal(parseWwwAuthenticate('Bearer service="s"')[0]!.params.toString, undefined);
  });

  it('never throws on hostile input and returns what it could read', () => {
    const hostile = [
      '',
      ' ',
      ',,,',
      '=',
      '"',
      '"""',
      'Bearer realm="unterminated',
      'Bearer realm="x\\',
      'Bearer realm=',
      'Bearer =x',
      'Bearer realm="a" garbage "b", service="s"',
      '\u0000\u0001\u00ff Bearer realm="x"',
      'Bearer ' + 'a=b,'.repeat(5000),
      'Bearer realm="' + 'x'.repeat(8 * 1024),
      'x '.repeat(100_000),
      'Basic,'.repeat(10_000),
      '\\'.repeat(9000),
    ];
    for (const h of hostile) {
      const t0 = performance.now();
      const out = parseWwwAuthenticate(h);
      assert.ok(Array.isArray(out), h.slice(0, 40));
      assert.ok(out.length <= MAX_CHALLENGES);
      assert.ok(performance.now() - t0 < 500, `slow on ${JSON.stringify(h.slice(0, 40))}`);
    }
    assert.equal(parseWwwAuthenticate('Bearer realm="unterminated')[0]!.params.realm, 'unterminated');
    assert.equal(parseWwwAuthenticate('Bearer realm="a" garbage "b", service="s"')[0]!.params.service, 's');
    assert.equal(parseWwwAuthenticate('Bearer realm="' + 'x'.repeat(8 * 1024))[0]!.params.realm!.length, 8 * 1024);
    assert.deepEqual(parseWwwAuthenticate(undefined), []);
  });
});
