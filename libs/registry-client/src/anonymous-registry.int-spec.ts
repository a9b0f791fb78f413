import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ANONYMOUS } from './credential.js';
import { pullBehaviour } from './pull-behaviour.fixture.js';
import { clientFor, registryWithImage, type RegistryWithImage } from './upstream.fixture.js';

pullBehaviour({ auth: 'none' }, () => undefined);

describe('UpstreamClient against a registry without auth', () => {
  let env: RegistryWithImage;
  before(async () => {
    env = await registryWithImage({ auth: 'none' });
  });
  after(() => env.stop());

  it('sends no Authorization and needs no token: one request per call', async () => {
    const { client } = clientFor(env.registry);
    await env.registry.flushAccessLog(); // log lines trail their responses: settle, then clear
    env.registry.clearAccessLog();
    await client.getManifest(env.registry.host, env.repository, 'v1');
    await client.getManifest(env.registry.host, env.repository, 'v1', { credential: ANONYMOUS });
    const log = (await env.registry.flushAccessLog()).filter((e) => e.kind === 'manifest');
    assert.deepEqual(log.map((e) => e.status), [200, 200]);
  });
});
