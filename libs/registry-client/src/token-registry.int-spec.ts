import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ProtocolError } from '@accelerboat/registry-protocol';
import { ANONYMOUS, basicCredential } from './credential.js';
import { pullBehaviour } from './pull-behaviour.fixture.js';
import { clientFor, collect, registryWithImage, type RegistryWithImage } from './upstream.fixture.js';

const USERS = { alice: 's3cret', bob: 'hunter2' };
const ALICE = basicCredential('alice', 's3cret');

pullBehaviour({ auth: 'token', users: USERS, anonymousPull: false }, () => ALICE);

describe('UpstreamClient against a token-auth registry with a private repository', () => {
  let env: RegistryWithImage;
  const tokenRequests = async () => (await env.registry.tokenServer!.requests()).length;
  before(async () => {
    env = await registryWithImage({ auth: 'token', users: USERS, anonymousPull: false });
  });
  after(() => env.stop());

  it('maps wrong credentials to UNAUTHORIZED', async () => {
    const { client } = clientFor(env.registry);
    const credential = basicCredential('alice', 'wrong');
    await assert.rejects(client.getManifest(env.registry.host, env.repository, 'v1', { credential }), (e) => ProtocolError.is(e, 'UNAUTHORIZED'));
    assert.equal(await client.checkPullAccess(env.registry.host, env.repository, credential), false);
  });

  it('maps an anonymous pull of the private repository to UNAUTHORIZED or FORBIDDEN', async () => {
    const { client } = clientFor(env.registry);
    await assert.rejects(client.getManifest(env.registry.host, env.repository, 'v1'), (e) => ProtocolError.is(e, 'UNAUTHORIZED') || ProtocolError.is(e, 'FORBIDDEN'));
    assert.equal(await client.checkPullAccess(env.registry.host, env.repository, ANONYMOUS), false);
  });

  it('tries configured credentials in turn (first wrong, second right)', async () => {
    const { client } = clientFor(env.registry, { credentials: [basicCredential('bob', 'wrong'), basicCredential('bob', 'hunter2')] });
    const m = await client.getManifest(env.registry.host, env.repository, 'v1');
    assert.equal(m.digest, env.digest);
    const blob = await client.getBlob(env.registry.host, env.repository, env.image.layers[1]!.digest);
    assert.equal((await collect(blob.stream)).length, env.image.layers[1]!.size);
  });

  it('reuses a token within expires_in: two manifest GETs cause one token request', async () => {
    const { client } = clientFor(env.registry);
    const before = await tokenRequests();
    await client.getManifest(env.registry.host, env.repository, 'v1', { credential: ALICE });
    await client.getManifest(env.registry.host, env.repository, env.digest, { credential: ALICE });
    const log = (await env.registry.tokenServer!.requests()).slice(before);
    assert.equal(log.length, 1);
    assert.deepEqual([log[0]!.method, log[0]!.user, log[0]!.scopes], ['GET', 'alice', [`repository:${env.repository}:pull`]]);
  });

  it('converges concurrent requests that need the same token into one realm call', async () => {
    const fresh = clientFor(env.registry).client;
    // Learn the registry's challenge first; later requests then fetch tokens before sending.
    await fresh.headManifest(env.registry.host, env.repository, 'v1', { credential: ALICE });
    const before = await tokenRequests();
    const other = basicCredential('bob', 'hunter2');
    const all = await Promise.all(Array.from({ length: 8 }, () => fresh.getManifest(env.registry.host, env.repository, 'v1', { credential: other })));
    assert.ok(all.every((m) => m.digest === env.digest));
    assert.equal((await tokenRequests()) - before, 1);
  });

  it('fetches a new token once the cached one has expired', async () => {
    let now = Date.now();
    const { client } = clientFor(env.registry, {}, () => now);
    const before = await tokenRequests();
    await client.getManifest(env.registry.host, env.repository, 'v1', { credential: ALICE });
    now += 300_000; // the test token server issues 300 s tokens
    await client.getManifest(env.registry.host, env.repository, 'v1', { credential: ALICE });
    assert.equal((await tokenRequests()) - before, 2);
  });

  it('keeps tokens of different credentials apart', async () => {
    const { client } = clientFor(env.registry);
    const before = await tokenRequests();
    await client.getManifest(env.registry.host, env.repository, 'v1', { credential: ALICE });
    await client.getManifest(env.registry.host, env.repository, 'v1', { credential: basicCredential('bob', 'hunter2') });
    const users = (await env.registry.tokenServer!.requests()).slice(before).map((r) => r.user);
    assert.deepEqual(users, ['alice', 'bob']);
  });

  it('uses the OAuth2 POST form when configured, with client_id accelerboat', async () => {
    const { client } = clientFor(env.registry, { tokenForm: 'post' });
    const before = await tokenRequests();
    const m = await client.getManifest(env.registry.host, env.repository, 'v1', { credential: ALICE });
    assert.equal(m.digest, env.digest);
    const log = (await env.registry.tokenServer!.requests()).slice(before);
    assert.deepEqual(log.map((r) => [r.method, r.grantType, r.clientId, r.user, r.status]), [['POST', 'password', 'accelerboat', 'alice', 200]]);
  });

  it('refetches a token the registry refused before its expiry (anonymous pull turned on)', async () => {
    const { client } = clientFor(env.registry);
    await assert.rejects(client.getManifest(env.registry.host, env.repository, 'v1'));
    await env.registry.tokenServer!.setAnonymousPull(true);
    try {
      const m = await client.getManifest(env.registry.host, env.repository, 'v1');
      assert.equal(m.digest, env.digest);
      assert.equal(await client.checkPullAccess(env.registry.host, env.repository, ANONYMOUS), true);
    } finally {
      await env.registry.tokenServer!.setAnonymousPull(false);
    }
  });
});
