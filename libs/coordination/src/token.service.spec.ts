import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { ProtocolError, type GetTokenRequest } from '@accelerboat/registry-protocol';
import { ConvergedCalls } from './converged-calls.js';
import { ConvergenceMetrics } from './convergence-metrics.js';
import { basic, FakeUpstream, gate, replicasFixture, sharedFingerprints } from './convergence.fixture.js';
import { InProcessSingleFlight } from './single-flight.js';
import { TokenService } from './token.service.js';

const REQ: GetTokenRequest = { registry: 'registry.example:5000', service: 'reg', scopes: ['repository:team/app:pull'] };

function setup(n = 2) {
  const { clock, observer, calls } = replicasFixture(n);
  const upstream = new FakeUpstream();
  const services = calls.map((c) => new TokenService(upstream, c, sharedFingerprints, { clock }));
  return { clock, observer, upstream, services };
}

describe('TokenService.get', () => {
  it('converges concurrent requests on two replicas into one realm call', async () => {
    const { clock, observer, upstream, services } = setup();
    const g = gate<{ token: string; expiresIn: number }>();
    upstream.onToken = () => g.promise;
    const all = Promise.all(Array.from({ length: 20 }, (_, i) => services[i % 2]!.get({ ...REQ, authorization: basic('alice', 'pw') })));
    await clock.advance(50);
    g.open({ token: 'T', expiresIn: 300 });
    await clock.advance(500);
    const tokens = await all;
    assert.ok(tokens.every((t) => t.token === 'T'));
    assert.equal(upstream.count('token'), 1);
    assert.deepEqual(observer.upstream, ['token:ok']);
    assert.equal(observer.answers.filter((a) => a === 'token:shared').length, 19);
  });

  it('fetches with the caller credential (anonymous without one) and never with the request realm', async () => {
    const { upstream, services } = setup(1);
    await services[0]!.get({ ...REQ, realm: 'https://evil.example/token', authorization: basic('alice', 'pw') });
    await services[0]!.get(REQ);
    assert.deepEqual(
      upstream.calls.map((c) => [c.registry, c.scopes, c.credential?.kind]),
      [
        ['registry.example:5000', ['repository:team/app:pull'], 'basic'],
        ['registry.example:5000', ['repository:team/app:pull'], 'anonymous'],
      ],
    );
    assert.ok(!JSON.stringify(upstream.calls).includes('evil'));
  });

  it('keeps two credentials apart: neither gets the other one\'s token', async () => {
    const { upstream, services } = setup();
    upstream.onToken = async (c) => ({ token: `for-${c.credential?.kind === 'basic' ? c.credential.username : 'anon'}`, expiresIn: 300 });
    const a = await services[0]!.get({ ...REQ, authorization: basic('alice', 'pw') });
    const b = await services[1]!.get({ ...REQ, authorization: basic('bob', 'pw') });
    const wrongPassword = await services[1]!.get({ ...REQ, authorization: basic('alice', 'other') });
    const anon = await services[0]!.get(REQ);
    assert.deepEqual([a.token, b.token, wrongPassword.token, anon.token], ['for-alice', 'for-bob', 'for-alice', 'for-anon']);
    assert.equal(upstream.count('token'), 4);
  });

  it('treats scope order and repeats as the same request, and registry, service or scope changes as new ones', async () => {
    const { upstream, services } = setup();
    const scopes = ['repository:a:pull', 'repository:b:pull'];
    await services[0]!.get({ ...REQ, scopes });
    await services[1]!.get({ ...REQ, scopes: [scopes[1]!, scopes[0]!, scopes[1]!] });
    assert.equal(upstream.count('token'), 1);
    await services[1]!.get({ ...REQ, scopes, service: 'other' });
    await services[1]!.get({ ...REQ, scopes: ['repository:a:pull'] });
    await services[1]!.get({ ...REQ, scopes, registry: 'other.example' });
    assert.equal(upstream.count('token'), 4);
  });

  it('reuses a token for its lifetime minus a margin and reports the time it has left', async () => {
    const { clock, upstream, services } = setup();
    upstream.onToken = async () => ({ token: `t${upstream.count('token')}`, expiresIn: 300 });
    assert.deepEqual(await services[0]!.get(REQ), { token: 't1', expiresIn: 300 });
    await clock.advance(100_000);
    assert.deepEqual(await services[1]!.get(REQ), { token: 't1', expiresIn: 200 });
    // 300 s life, 10 s margin: shared until 290 s.
    await clock.advance(189_000);
    assert.equal((await services[0]!.get(REQ)).token, 't1');
    await clock.advance(2_000);
    assert.deepEqual(await services[0]!.get(REQ), { token: 't2', expiresIn: 300 });
  });

  it('uses a tenth of a short lifetime as the margin', async () => {
    const { clock, upstream, services } = setup();
    upstream.onToken = async () => ({ token: `t${upstream.count('token')}`, expiresIn: 20 });
    await services[0]!.get(REQ);
    await clock.advance(17_500);
    assert.equal((await services[1]!.get(REQ)).token, 't1');
    await clock.advance(1_000);
    assert.equal((await services[1]!.get(REQ)).token, 't2');
  });

  it('propagates UNAUTHORIZED from the realm, and does not keep the failure', async () => {
    const { clock, upstream, services } = setup();
    upstream.onToken = async () => {
      throw new ProtocolError('UNAUTHORIZED', 'the token realm refused the credential');
    };
    await assert.rejects(services[0]!.get({ ...REQ, authorization: basic('alice', 'wrong') }), (e) => ProtocolError.is(e, 'UNAUTHORIZED'));
    await clock.advance(2_000);
    upstream.onToken = async () => ({ token: 'ok', expiresIn: 60 });
    assert.equal((await services[1]!.get({ ...REQ, authorization: basic('alice', 'wrong') })).token, 'ok');
  });

  it('refuses a malformed authorization with INVALID_ARGUMENT before asking anyone', async () => {
    const { upstream, services } = setup(1);
    await assert.rejects(services[0]!.get({ ...REQ, authorization: 'Digest abc' }), (e) => ProtocolError.is(e, 'INVALID_ARGUMENT'));
    assert.equal(upstream.count('token'), 0);
  });

  it('counts upstream requests and shared answers on a prom-client registry', async () => {
    const registry = new Registry();
    const upstream = new FakeUpstream();
    const calls = new ConvergedCalls(new InProcessSingleFlight(), { observer: new ConvergenceMetrics(registry) });
    const service = new TokenService(upstream, calls, sharedFingerprints);
    const g = gate<{ token: string; expiresIn: number }>();
    upstream.onToken = () => g.promise;
    const all = Promise.all([service.get(REQ), service.get(REQ), service.get(REQ)]);
    g.open({ token: 'x', expiresIn: 60 });
    await all;
    const text = await registry.metrics();
    assert.match(text, /p2p_coordinator_upstream_requests_total\{kind="token",outcome="ok"\} 1/);
    assert.match(text, /p2p_coordinator_converged_answers_total\{kind="token",source="shared"\} 2/);
    assert.match(text, /p2p_coordinator_converged_answers_total\{kind="token",source="upstream"\} 1/);
  });
});
