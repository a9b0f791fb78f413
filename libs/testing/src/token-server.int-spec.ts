import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt, startTokenServer, type TokenServer } from './index.js';

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

describe('startTokenServer', () => {
  let ts: TokenServer;
  const scopeUrl = (...scopes: string[]) => {
    const u = new URL(ts.url);
    u.searchParams.set('service', ts.service);
    for (const s of scopes) u.searchParams.append('scope', s);
    return u.toString();
  };
  const post = (fields: Record<string, string>) =>
    fetch(ts.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });

  before(async () => {
    ts = await startTokenServer({ users: { alice: 's3cret', bob: 'pw' } });
  });
  after(async () => {
    await ts?.stop();
  });

  it('issues a token for the GET form with Basic auth and repeated scope params', async () => {
    const res = await fetch(scopeUrl('repository:team/app:pull,push', 'repository:base/os:pull'), { headers: { authorization: basic('alice', 's3cret') } });
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.token, body.access_token);
    assert.equal(body.expires_in, 300);
    assert.ok(!Number.isNaN(Date.parse(String(body.issued_at))));
    const { header, claims } = decodeJwt(String(body.token));
    assert.equal(header.alg, 'RS256');
    assert.match(String(header.kid), /^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$/);
    assert.equal(claims.aud, ts.service);
    assert.equal(claims.iss, ts.issuer);
    assert.equal(claims.sub, 'alice');
    assert.deepEqual(claims.access, [
      { type: 'repository', name: 'team/app', actions: ['pull', 'push'] },
      { type: 'repository', name: 'base/os', actions: ['pull'] },
    ]);
  });

  it('issues a token for the OAuth2 password-grant POST form that containerd sends', async () => {
    const res = await post({
      grant_type: 'password', username: 'bob', password: 'pw', service: ts.service,
      scope: 'repository:team/app:pull repository:other/app:pull', client_id: 'containerd-client',
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { access_token: string; token: string };
    assert.equal(body.token, body.access_token);
    assert.deepEqual(decodeJwt(body.access_token).claims.access, [
      { type: 'repository', name: 'team/app', actions: ['pull'] },
      { type: 'repository', name: 'other/app', actions: ['pull'] },
    ]);
  });

  it('refuses bad credentials with 401 in both forms', async () => {
    assert.equal((await fetch(scopeUrl('repository:a/b:pull'), { headers: { authorization: basic('alice', 'wrong') } })).status, 401);
    assert.equal((await fetch(scopeUrl('repository:a/b:pull'), { headers: { authorization: basic('mallory', 'x') } })).status, 401);
    assert.equal((await post({ grant_type: 'password', username: 'bob', password: 'wrong', service: ts.service, scope: 'repository:a/b:pull' })).status, 401);
  });

  it('gives anonymous callers an empty access list unless anonymous pull is on, and then pull only', async () => {
    const anon = async () => decodeJwt(((await (await fetch(scopeUrl('repository:a/b:pull,push'))).json()) as { token: string }).token).claims.access;
    assert.deepEqual(await anon(), []);
    await ts.setAnonymousPull(true);
    assert.deepEqual(await anon(), [{ type: 'repository', name: 'a/b', actions: ['pull'] }]);
    await ts.setAnonymousPull(false);
  });

  it('refuses a revoked user', async () => {
    await ts.revoke('bob');
    assert.equal((await fetch(scopeUrl('repository:a/b:pull'), { headers: { authorization: basic('bob', 'pw') } })).status, 401);
    await ts.setUsers({ alice: 's3cret', bob: 'pw' });
    assert.equal((await fetch(scopeUrl('repository:a/b:pull'), { headers: { authorization: basic('bob', 'pw') } })).status, 200);
  });

  it('records every request without passwords', async () => {
    const reqs = await ts.requests();
    assert.ok(reqs.length >= 8);
    assert.deepEqual(
      reqs.slice(0, 3).map((r) => [r.method, r.user, r.status, r.scopes]),
      [
        ['GET', 'alice', 200, ['repository:team/app:pull,push', 'repository:base/os:pull']],
        ['POST', 'bob', 200, ['repository:team/app:pull', 'repository:other/app:pull']],
        ['GET', 'alice', 401, ['repository:a/b:pull']],
      ],
    );
    assert.equal(reqs[1]!.clientId, 'containerd-client');
    assert.doesNotMatch(JSON.stringify(reqs), /s3cret|"pw"|wrong/);
  });

  it('can embed the certificate chain (x5c) instead of a key id', async () => {
    const x5c = await startTokenServer({ mode: 'x5c', users: { alice: 's3cret' } });
    try {
      const u = new URL(x5c.url);
      u.searchParams.set('service', x5c.service);
      const body = (await (await fetch(u, { headers: { authorization: basic('alice', 's3cret') } })).json()) as { token: string };
      const { header } = decodeJwt(body.token);
      assert.equal(header.kid, undefined);
      assert.ok(Array.isArray(header.x5c) && header.x5c.length === 1);
    } finally {
      await x5c.stop();
    }
  });
});
