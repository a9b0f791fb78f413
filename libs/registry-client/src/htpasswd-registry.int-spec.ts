import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ProtocolError } from '@accelerboat/registry-protocol';
import { ANONYMOUS, basicCredential } from './credential.js';
import { pullBehaviour } from './pull-behaviour.fixture.js';
import { clientFor, registryWithImage, type RegistryWithImage } from './upstream.fixture.js';

const USERS = { alice: 's3cret', bob: 'hunter2' };

pullBehaviour({ auth: 'htpasswd', users: USERS }, () => basicCredential('alice', 's3cret'));

describe('UpstreamClient against an htpasswd (Basic) registry', () => {
  let env: RegistryWithImage;
  before(async () => {
    env = await registryWithImage({ auth: 'htpasswd', users: USERS });
  });
  after(() => env.stop());

  it('maps wrong credentials to UNAUTHORIZED', async () => {
    const { client } = clientFor(env.registry);
    const credential = basicCredential('alice', 'wrong');
    await assert.rejects(client.getManifest(env.registry.host, env.repository, 'v1', { credential }), (e) => ProtocolError.is(e, 'UNAUTHORIZED'));
    assert.equal(await client.checkPullAccess(env.registry.host, env.repository, credential), false);
  });

  it('maps a pull without credentials to UNAUTHORIZED when none are configured', async () => {
    const { client } = clientFor(env.registry);
    await assert.rejects(client.getManifest(env.registry.host, env.repository, 'v1'), (e) => ProtocolError.is(e, 'UNAUTHORIZED'));
    assert.equal(await client.checkPullAccess(env.registry.host, env.repository, ANONYMOUS), false);
  });

  it('tries configured credentials in turn (first wrong, second right) and then starts with the one that worked', async () => {
    const credentials = [basicCredential('bob', 'wrong'), basicCredential('bob', 'hunter2')];
    const { client } = clientFor(env.registry, { credentials });
    const m = await client.getManifest(env.registry.host, env.repository, 'v1');
    assert.equal(m.digest, env.digest);
    await env.registry.flushAccessLog(); // log lines trail their responses: settle, then clear
    env.registry.clearAccessLog();
    await client.getManifest(env.registry.host, env.repository, 'v1');
    const log = (await env.registry.flushAccessLog()).filter((e) => e.kind === 'manifest');
    assert.deepEqual(log.map((e) => e.status), [200], 'the learnt Basic scheme and the preferred credential skip every 401');
  });

  it('never uses configured credentials for a caller that brought its own', async () => {
    const { client } = clientFor(env.registry, { credentials: [basicCredential('bob', 'hunter2')] });
    const credential = basicCredential('alice', 'wrong');
    await assert.rejects(client.getManifest(env.registry.host, env.repository, 'v1', { credential }), (e) => ProtocolError.is(e, 'UNAUTHORIZED'));
  });
});
