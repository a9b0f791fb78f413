import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { basicCredential } from '@accelerboat/registry-client';
import { ProtocolError, type CheckAccessRequest, type ErrorCode } from '@accelerboat/registry-protocol';
import { AccessService, type AccessServiceOptions } from './access.service.js';
import { basic, FakeUpstream, replicasFixture, sharedFingerprints } from './convergence.fixture.js';
import { MemoryDecisionMemory, type DecisionMemory } from './decision-memory.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const REQ: CheckAccessRequest = { registry: 'registry.example', repository: 'team/app', digest: DIGEST };
const OPTIONS: AccessServiceOptions = { allowTtlMs: 60_000, denyTtlMs: 5_000, graceMs: 900_000 };
const ALICE = basic('alice', 'pw');

function setup(options: Partial<AccessServiceOptions> = {}, memoryOf?: (m: DecisionMemory) => DecisionMemory) {
  const { clock, calls } = replicasFixture(2);
  const upstream = new FakeUpstream();
  const memory = new MemoryDecisionMemory(clock);
  const services = calls.map((c) => new AccessService(upstream, c, sharedFingerprints, memoryOf ? memoryOf(memory) : memory, { ...OPTIONS, ...options }));
  const down = (code: ErrorCode = 'UNAVAILABLE'): void => {
    upstream.onAccess = async () => {
      throw new ProtocolError(code, `registry ${code}`);
    };
  };
  return { clock, upstream, services, down };
}

/** True for alice with her real password. */
const isAlice = (c: { credential?: unknown }): boolean => {
  const cred = c.credential as { kind: string; username?: string; password?: string } | undefined;
  return cred?.kind === 'basic' && cred.username === 'alice' && cred.password === 'pw';
};

const user = (c: { credential?: unknown }): string => {
  const cred = c.credential as { kind: string; username?: string } | undefined;
  return cred?.kind === 'basic' ? cred.username! : (cred?.kind ?? 'node');
};

describe('AccessService.check', () => {
  it('probes the blob through the repository with the caller credential', async () => {
    const { upstream, services } = setup();
    assert.deepEqual(await services[0]!.check({ ...REQ, authorization: ALICE }), { allowed: true });
    assert.deepEqual(await services[0]!.check({ registry: REQ.registry, repository: REQ.repository, authorization: ALICE }), { allowed: true });
    assert.deepEqual(
      upstream.calls.map((c) => [c.repository, c.probe, user(c)]),
      [
        ['team/app', { blob: DIGEST }, 'alice'],
        ['team/app', undefined, 'alice'],
      ],
    );
  });

  it('keys by credential: an allowed credential says nothing about another', async () => {
    const { upstream, services } = setup();
    upstream.onAccess = async (c) => isAlice(c);
    assert.equal((await services[0]!.check({ ...REQ, authorization: ALICE })).allowed, true);
    assert.equal((await services[1]!.check({ ...REQ, authorization: basic('alice', 'guess') })).allowed, false);
    assert.equal((await services[1]!.check(REQ)).allowed, false);
    assert.equal((await services[1]!.check({ ...REQ, authorization: ALICE })).allowed, true);
    assert.equal(upstream.count('access'), 3);
  });

  it('reuses an allowed answer for allowTtlMs and a denied one for denyTtlMs', async () => {
    const { clock, upstream, services } = setup();
    upstream.onAccess = async (c) => isAlice(c);
    await services[0]!.check({ ...REQ, authorization: ALICE });
    await services[0]!.check(REQ);
    await clock.advance(4_999);
    await services[1]!.check({ ...REQ, authorization: ALICE });
    await services[1]!.check(REQ);
    assert.equal(upstream.count('access'), 2);
    await clock.advance(2);
    await services[1]!.check({ ...REQ, authorization: ALICE });
    await services[1]!.check(REQ);
    assert.equal(upstream.count('access'), 3, 'the denial was asked again, the approval not');
    await clock.advance(55_000);
    await services[0]!.check({ ...REQ, authorization: ALICE });
    assert.equal(upstream.count('access'), 4);
  });

  it('allows an anonymous caller when one configured account can read, trying them in order', async () => {
    const { upstream, services } = setup({ configured: () => [basicCredential('ci', 'x'), basicCredential('ops', 'y'), basicCredential('late', 'z')] });
    upstream.onAccess = async (c) => user(c) === 'ops';
    assert.deepEqual(await services[0]!.check(REQ), { allowed: true });
    assert.deepEqual(upstream.calls.map(user), ['anonymous', 'ci', 'ops']);
  });

  it('never tries configured accounts for a caller with its own credential', async () => {
    const { upstream, services } = setup({ configured: () => [basicCredential('ops', 'y')] });
    upstream.onAccess = async (c) => user(c) === 'ops';
    assert.deepEqual(await services[0]!.check({ ...REQ, authorization: basic('alice', 'wrong') }), { allowed: false });
    assert.deepEqual(upstream.calls.map(user), ['alice']);
  });

  it('denies an anonymous caller when no configured account can read either', async () => {
    const { services, upstream } = setup({ configured: () => [basicCredential('ci', 'x')] });
    upstream.onAccess = async () => false;
    assert.deepEqual(await services[0]!.check(REQ), { allowed: false });
  });

  for (const code of ['UNAVAILABLE', 'TIMEOUT', 'UPSTREAM_ERROR'] as ErrorCode[]) {
    it(`holds the last positive decision as stale while the upstream fails with ${code}, within the grace`, async () => {
      const { clock, services, down } = setup();
      await services[0]!.check({ ...REQ, authorization: ALICE });
      await clock.advance(61_000);
      down(code);
      assert.deepEqual(await services[1]!.check({ ...REQ, authorization: ALICE }), { allowed: true, stale: true });
      await clock.advance(900_000);
      await assert.rejects(services[0]!.check({ ...REQ, authorization: ALICE }), (e) => ProtocolError.is(e, code));
    });
  }

  it('propagates the outage without a positive decision: none, another credential, or another digest', async () => {
    const { clock, services, down } = setup();
    await services[0]!.check({ ...REQ, authorization: ALICE });
    await clock.advance(61_000);
    down();
    await assert.rejects(services[0]!.check(REQ), (e) => ProtocolError.is(e, 'UNAVAILABLE'));
    await assert.rejects(services[0]!.check({ ...REQ, authorization: basic('bob', 'pw') }), (e) => ProtocolError.is(e, 'UNAVAILABLE'));
    await assert.rejects(services[0]!.check({ ...REQ, digest: `sha256:${'b'.repeat(64)}`, authorization: ALICE }), (e) => ProtocolError.is(e, 'UNAVAILABLE'));
  });

  it('grants no grace on answers that are not outages (FORBIDDEN, INVALID_ARGUMENT)', async () => {
    const { clock, services, down } = setup();
    await services[0]!.check({ ...REQ, authorization: ALICE });
    await clock.advance(61_000);
    down('INVALID_ARGUMENT');
    await assert.rejects(services[0]!.check({ ...REQ, authorization: ALICE }), (e) => ProtocolError.is(e, 'INVALID_ARGUMENT'));
  });

  it('ends the grace when the upstream later denies the credential', async () => {
    const { clock, upstream, services, down } = setup();
    await services[0]!.check({ ...REQ, authorization: ALICE });
    await clock.advance(61_000);
    upstream.onAccess = async () => false;
    assert.deepEqual(await services[0]!.check({ ...REQ, authorization: ALICE }), { allowed: false });
    await clock.advance(6_000);
    down();
    await assert.rejects(services[1]!.check({ ...REQ, authorization: ALICE }), (e) => ProtocolError.is(e, 'UNAVAILABLE'));
  });

  it('reuses a stale answer only briefly, asking the upstream again after denyTtlMs', async () => {
    const { clock, upstream, services, down } = setup();
    await services[0]!.check({ ...REQ, authorization: ALICE });
    await clock.advance(61_000);
    down();
    await services[0]!.check({ ...REQ, authorization: ALICE });
    upstream.onAccess = async () => true;
    await clock.advance(5_001);
    assert.deepEqual(await services[1]!.check({ ...REQ, authorization: ALICE }), { allowed: true });
  });

  it('answers even when the grace memory cannot be written, and says so', async () => {
    const errors: unknown[] = [];
    const broken = (m: DecisionMemory): DecisionMemory => ({ ...m, recall: (k) => m.recall(k), remember: () => Promise.reject(new Error('redis down')), forget: () => Promise.reject(new Error('redis down')) });
    const { services } = setup({ onMemoryError: (e) => errors.push(e) }, broken);
    assert.deepEqual(await services[0]!.check({ ...REQ, authorization: ALICE }), { allowed: true });
    assert.equal(errors.length, 1);
  });
});
