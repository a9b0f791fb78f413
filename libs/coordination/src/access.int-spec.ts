import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { ProtocolError, type CheckAccessRequest } from '@accelerboat/registry-protocol';
import { MIN_SHARE_MS } from './converged-calls.js';
import { basic, REPOSITORY, startWorld, USERS, type ConvergenceWorld, type Replica } from './convergence-int.fixture.js';

const ALICE = basic('alice', USERS.alice);

describe('AccessService on two replicas (real docker-registry with token auth, real Redis)', () => {
  let world: ConvergenceWorld;
  let replicas: Replica[];
  let withAccounts: Replica;
  let req: CheckAccessRequest;
  before(async () => {
    world = await startWorld();
    // Answers live for the shortest time a shared result can, so the outage below is asked about.
    const access = { allowTtlMs: 0, denyTtlMs: 0 };
    replicas = [await world.replica({ access }), await world.replica({ access })];
    withAccounts = await world.replica({ access, configured: { bob: 'wrong', alice: USERS.alice } });
    req = { registry: world.registry.host, repository: REPOSITORY, digest: world.image.layers[0]!.digest };
  });
  after(() => world?.stop());

  it('allows a credential that can read the blob through the repository', async () => {
    assert.deepEqual(await replicas[0]!.access.check({ ...req, authorization: ALICE }), { allowed: true });
    assert.deepEqual(await replicas[1]!.access.check({ ...req, digest: undefined, authorization: ALICE }), { allowed: true });
  });

  it('denies a caller without credentials, and one with wrong credentials', async () => {
    assert.deepEqual(await replicas[0]!.access.check(req), { allowed: false });
    assert.deepEqual(await replicas[1]!.access.check({ ...req, authorization: basic('alice', 'wrong') }), { allowed: false });
  });

  it('denies a blob the repository does not contain', async () => {
    const elsewhere = `sha256:${'0'.repeat(64)}`;
    assert.deepEqual(await replicas[0]!.access.check({ ...req, digest: elsewhere, authorization: ALICE }), { allowed: false });
  });

  it('allows a caller without credentials when a configured account can read', async () => {
    // Another blob: answers are shared cluster-wide, and real replicas share one accounts list.
    const other = { ...req, digest: world.image.layers[1]!.digest };
    assert.deepEqual(await withAccounts.access.check(other), { allowed: true });
    assert.deepEqual(await withAccounts.access.check({ ...other, authorization: basic('alice', 'wrong') }), { allowed: false });
  });

  it('after the registry stops: the last positive decision holds as stale, nothing else does', async () => {
    await world.registry.process.stop();
    await delay(MIN_SHARE_MS + 100);
    assert.deepEqual(await replicas[1]!.access.check({ ...req, authorization: ALICE }), { allowed: true, stale: true });
    assert.deepEqual(await replicas[0]!.access.check({ ...req, authorization: ALICE }), { allowed: true, stale: true });
    const outage = (e: unknown): boolean => ProtocolError.is(e, 'UNAVAILABLE') || ProtocolError.is(e, 'TIMEOUT');
    await assert.rejects(replicas[0]!.access.check(req), outage, 'a caller that was denied gets the error, not a decision');
    await assert.rejects(replicas[0]!.access.check({ ...req, authorization: basic('bob', USERS.bob) }), outage, 'never decided: the error');
  });
});
