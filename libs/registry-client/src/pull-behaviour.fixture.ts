// The pull behaviour every auth mode must show against a real registry; each mode's int-spec
// runs it with its own credential. Not exported from the package index.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ProtocolError } from '@accelerboat/registry-protocol';
import { ANONYMOUS, type Credential } from './credential.js';
import { digestOf } from './digest-verify.js';
import type { UpstreamClient } from './upstream-client.js';
import { UpstreamError } from './upstream-errors.js';
import { clientFor, collect, registryWithImage, type RegistryWithImage } from './upstream.fixture.js';
import type { RegistryOptions } from '@accelerboat/testing';

/** Runs the shared pull checks against a fresh registry in `options.auth` mode. */
export function pullBehaviour(options: RegistryOptions, credentialFor: (env: RegistryWithImage) => Credential | undefined): void {
  describe(`UpstreamClient pulls from a ${options.auth ?? 'none'}-auth registry`, () => {
    let env: RegistryWithImage;
    let client: UpstreamClient;
    let credential: Credential | undefined;
    before(async () => {
      env = await registryWithImage(options);
      client = clientFor(env.registry).client;
      credential = credentialFor(env);
    });
    after(() => env.stop());

    it('gets a manifest by tag with the exact pushed bytes and their digest', async () => {
      const m = await client.getManifest(env.registry.host, env.repository, 'v1', { credential });
      assert.deepEqual(m.bytes, env.image.manifest.bytes);
      assert.equal(m.digest, env.digest);
      assert.equal(m.mediaType, env.image.manifest.mediaType);
      assert.equal(m.size, env.image.manifest.size);
    });

    it('gets a manifest by digest and verifies the bytes against it', async () => {
      const m = await client.getManifest(env.registry.host, env.repository, env.digest, { credential });
      assert.equal(m.digest, env.digest);
      assert.equal(digestOf(m.bytes), env.digest);
    });

    it('heads a manifest: digest, media type and size without a body', async () => {
      const h = await client.headManifest(env.registry.host, env.repository, 'v1', { credential });
      assert.deepEqual(h, { digest: env.digest, mediaType: env.image.manifest.mediaType, size: env.image.manifest.size });
    });

    it('streams a blob whose bytes match its digest', async () => {
      const layer = env.image.layers[0]!;
      const blob = await client.getBlob(env.registry.host, env.repository, layer.digest, { credential });
      assert.equal(blob.status, 200);
      assert.equal(blob.size, layer.size);
      const bytes = await collect(blob.stream);
      assert.equal(digestOf(bytes), layer.digest);
    });

    it('returns 206 and the exact slice for a Range GET', async () => {
      const layer = env.image.layers[0]!;
      const blob = await client.getBlob(env.registry.host, env.repository, layer.digest, { credential, range: { start: 1000, end: 70_999 } });
      assert.equal(blob.status, 206);
      assert.equal(blob.partial, true);
      assert.equal(blob.size, 70_000);
      assert.equal(blob.totalSize, layer.size);
      assert.deepEqual(await collect(blob.stream), (await env.layerBytes(0)).subarray(1000, 71_000));
    });

    it('heads a blob: its size', async () => {
      const layer = env.image.layers[1]!;
      assert.deepEqual(await client.headBlob(env.registry.host, env.repository, layer.digest, credential), { digest: layer.digest, size: layer.size });
    });

    it('heads a blob larger than any manifest may be, and checks access with it as the probe', async () => {
      const layer = env.image.layers[2]!;
      assert.ok(layer.size > 4 * 1024 * 1024);
      assert.deepEqual(await client.headBlob(env.registry.host, env.repository, layer.digest, credential), { digest: layer.digest, size: layer.size });
      if (credential) assert.equal(await client.checkPullAccess(env.registry.host, env.repository, credential, { blob: layer.digest }), true);
    });

    it('maps an unknown tag to NOT_FOUND and keeps the registry code MANIFEST_UNKNOWN', async () => {
      await assert.rejects(client.getManifest(env.registry.host, env.repository, 'nope', { credential }), (e: unknown) => {
        assert.ok(e instanceof UpstreamError && ProtocolError.is(e, 'NOT_FOUND'), String(e));
        assert.equal(e.upstreamCode, 'MANIFEST_UNKNOWN');
        return true;
      });
    });

    it('confirms pull access for the repository, for a blob in it, and denies a blob it lacks', async () => {
      const c = credential ?? ANONYMOUS;
      assert.equal(await client.checkPullAccess(env.registry.host, env.repository, c), true);
      assert.equal(await client.checkPullAccess(env.registry.host, env.repository, c, { blob: env.image.layers[0]!.digest }), true);
      assert.equal(await client.checkPullAccess(env.registry.host, env.repository, c, { blob: digestOf(Buffer.from('absent')) }), false);
    });
  });
}
