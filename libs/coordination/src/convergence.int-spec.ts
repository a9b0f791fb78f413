import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError, type ManifestQuery } from '@accelerboat/registry-protocol';
import { basic, REPOSITORY, startWorld, USERS, type ConvergenceWorld, type Replica } from './convergence-int.fixture.js';

const ALICE = basic('alice', USERS.alice);
const BOB = basic('bob', USERS.bob);

describe('ManifestService and TokenService on two replicas (real docker-registry with token auth, real Redis)', () => {
  let world: ConvergenceWorld;
  let replicas: Replica[];
  let query: ManifestQuery;
  before(async () => {
    world = await startWorld();
    replicas = [await world.replica(), await world.replica()];
    query = { registry: world.registry.host, repository: REPOSITORY, reference: 'v1', accept: [] };
  });
  after(() => world?.stop());

  it('30 concurrent GETs through both replicas reach the upstream as one manifest GET, with the exact bytes', async () => {
    const before = await world.counts();
    const all = await Promise.all(Array.from({ length: 30 }, (_, i) => replicas[i % 2]!.manifests.get({ ...query, authorization: ALICE })));
    const after = await world.counts();
    assert.equal(after.manifestGets - before.manifestGets, 1);
    // A cold upstream client may first be challenged (401) before its authorised GET.
    assert.ok(after.manifestGetsAnyStatus - before.manifestGetsAnyStatus <= 2);
    for (const m of all) {
      assert.equal(m.digest, world.digest);
      assert.equal(m.mediaType, world.image.manifest.mediaType);
      assert.equal(m.size, world.image.manifest.size);
      assert.ok(Buffer.from(m.body, 'base64').equals(world.image.manifest.bytes));
    }
  });

  it('a HEAD converges too and agrees with the GET', async () => {
    const heads = await Promise.all(Array.from({ length: 10 }, (_, i) => replicas[i % 2]!.manifests.head({ ...query, authorization: ALICE })));
    for (const h of heads) assert.deepEqual(h, { digest: world.digest, mediaType: world.image.manifest.mediaType, size: world.image.manifest.size });
  });

  it('a second credential gets its own upstream GET', async () => {
    const before = await world.counts();
    const m = await replicas[1]!.manifests.get({ ...query, authorization: BOB });
    await replicas[0]!.manifests.get({ ...query, authorization: BOB });
    await replicas[0]!.manifests.get({ ...query, authorization: ALICE });
    assert.equal(m.digest, world.digest);
    assert.equal((await world.counts()).manifestGets - before.manifestGets, 1);
  });

  it('a pull by digest is served from the digest entry', async () => {
    const m = await replicas[0]!.manifests.get({ ...query, reference: world.digest, authorization: ALICE });
    assert.ok(Buffer.from(m.body, 'base64').equals(world.image.manifest.bytes));
  });

  it('wrong credentials get UNAUTHORIZED, and no credentials on a private repository are refused', async () => {
    await assert.rejects(replicas[0]!.manifests.get({ ...query, authorization: basic('alice', 'wrong') }), (e) => ProtocolError.is(e, 'UNAUTHORIZED'));
    await assert.rejects(replicas[1]!.manifests.get(query), (e) => ProtocolError.is(e, 'UNAUTHORIZED') || ProtocolError.is(e, 'FORBIDDEN'));
  });

  it('an unknown tag is NOT_FOUND', async () => {
    await assert.rejects(replicas[0]!.manifests.get({ ...query, reference: 'nope', authorization: ALICE }), (e) => ProtocolError.is(e, 'NOT_FOUND'));
  });

  it('20 concurrent token requests on both replicas cause one token-server request', async () => {
    // Fresh replicas: the upstream clients above already hold tokens for this repository.
    const fresh = [await world.replica(), await world.replica()];
    const req = { registry: world.registry.host, scopes: [`repository:${REPOSITORY}:pull`], authorization: ALICE };
    const before = await world.counts();
    const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => fresh[i % 2]!.tokens.get(req)));
    assert.equal((await world.counts()).tokenRequests - before.tokenRequests, 1);
    assert.equal(new Set(tokens.map((t) => t.token)).size, 1);
    assert.ok(tokens.every((t) => t.expiresIn > 250 && t.expiresIn <= 300), JSON.stringify(tokens.map((t) => t.expiresIn)));
  });

  it('a token from the coordinator opens the repository upstream', async () => {
    const { token } = await replicas[0]!.tokens.get({ registry: world.registry.host, scopes: [`repository:${REPOSITORY}:pull`], authorization: BOB });
    const m = await replicas[1]!.manifests.get({ ...query, authorization: `Bearer ${token}` });
    assert.equal(m.digest, world.digest);
  });

  it('a token request with wrong credentials is UNAUTHORIZED', async () => {
    const req = { registry: world.registry.host, scopes: [`repository:${REPOSITORY}:pull`], authorization: basic('bob', 'wrong') };
    await assert.rejects(replicas[0]!.tokens.get(req), (e) => ProtocolError.is(e, 'UNAUTHORIZED'));
  });
});
