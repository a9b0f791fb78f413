import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  buildImage, buildIndex, fetchManifest, pushImage, startRegistry, tempDir,
  type ImageFixture, type IndexFixture, type Registry, type TempDir,
} from './index.js';

const run = promisify(execFile);
const creds = { username: 'alice', password: 's3cret' };
const skopeo = (...args: string[]) => run('skopeo', args, { timeout: 60_000 });

describe('image fixtures pushed to a private token-auth registry', () => {
  let reg: Registry;
  let work: TempDir;
  const fixtures: (ImageFixture | IndexFixture)[] = [];
  before(async () => {
    reg = await startRegistry({ auth: 'token', users: { alice: 's3cret' }, anonymousPull: false });
    work = tempDir('ab-pulled-');
  });
  after(async () => {
    await reg?.stop();
    await work?.remove();
    for (const f of fixtures) await f.remove();
  });

  it('pushes an OCI image over the API that skopeo pulls back with credentials, digest unchanged', async () => {
    const img = await buildImage({ layers: [1024, 64 * 1024, 512 * 1024], tag: 'v1' });
    fixtures.push(img);
    const pushed = await pushImage(img, { registry: reg.host, repository: 'team/app', creds });
    assert.equal(pushed.digest, img.manifest.digest);

    const out = join(work.path, 'oci-pull');
    await skopeo('copy', '--src-tls-verify=false', '--src-creds', 'alice:s3cret', `docker://${reg.host}/team/app:v1`, `oci:${out}:v1`);
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    assert.equal(index.manifests[0]!.digest, img.manifest.digest);
    const { stdout } = await skopeo('inspect', '--tls-verify=false', '--creds', 'alice:s3cret', `docker://${reg.host}/team/app:v1`);
    const inspected = JSON.parse(stdout) as { Digest: string; Layers: string[] };
    assert.equal(inspected.Digest, img.manifest.digest);
    assert.deepEqual(inspected.Layers, img.layers.map((l) => l.digest));

    // Every blob was fetched once by skopeo: the access log sees the upstream GETs.
    const gets = (await reg.flushAccessLog()).filter((e) => e.method === 'GET' && e.kind === 'blob' && e.status === 200);
    assert.deepEqual(new Set(gets.map((e) => e.reference)), new Set([...img.layers.map((l) => l.digest), img.config.digest]));
  });

  it('refuses the same pull without credentials because anonymous pull is off', async () => {
    await assert.rejects(
      skopeo('copy', '--src-tls-verify=false', `docker://${reg.host}/team/app:v1`, `oci:${join(work.path, 'anon')}:v1`),
      (err: Error & { stderr?: string }) => /unauthorized|authentication required|denied/i.test(err.stderr ?? err.message),
    );
    const anon = (await reg.tokenServer!.requests()).filter((r) => r.user === undefined);
    assert.ok(anon.length > 0 && anon.every((r) => r.granted.length === 0));
  });

  it('round-trips a Docker schema 2 image with its Docker media types', async () => {
    const img = await buildImage({ layers: [2048, 4096], mediaTypes: 'docker', tag: 'docker-v2' });
    fixtures.push(img);
    await pushImage(img, { registry: reg.host, repository: 'team/docker', creds });
    const m = await fetchManifest(reg.host, 'team/docker', 'docker-v2', { creds, accept: 'application/vnd.docker.distribution.manifest.v2+json' });
    assert.equal(m.status, 200);
    assert.equal(m.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    assert.equal(m.digest, img.manifest.digest);
    assert.equal(m.headerDigest, img.manifest.digest);
    const parsed = JSON.parse(m.bytes.toString()) as { config: { mediaType: string }; layers: { mediaType: string }[] };
    assert.equal(parsed.config.mediaType, 'application/vnd.docker.container.image.v1+json');
    assert.ok(parsed.layers.every((l) => l.mediaType === 'application/vnd.docker.image.rootfs.diff.tar.gzip'));
    const { stdout } = await skopeo('inspect', '--raw', '--tls-verify=false', '--creds', 'alice:s3cret', `docker://${reg.host}/team/docker:docker-v2`);
    assert.equal(stdout, img.manifest.bytes.toString());
  });

  for (const flavour of ['oci', 'docker'] as const) {
    it(`round-trips a multi-arch ${flavour === 'oci' ? 'OCI index' : 'Docker manifest list'} and its per-platform manifests`, async () => {
      const amd64 = await buildImage({ layers: [1000, 2000], mediaTypes: flavour, platform: { os: 'linux', architecture: 'amd64' } });
      const arm64 = await buildImage({ layers: [3000], mediaTypes: flavour, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } });
      const idx = await buildIndex([amd64, arm64], { tag: 'multi' });
      fixtures.push(amd64, arm64, idx);
      const repo = `team/multi-${flavour}`;
      const pushed = await pushImage(idx, { registry: reg.host, repository: repo, creds });
      assert.equal(pushed.digest, idx.index.digest);

      const top = await fetchManifest(reg.host, repo, 'multi', { creds, accept: idx.index.mediaType });
      assert.equal(top.status, 200);
      assert.equal(top.mediaType, idx.index.mediaType);
      assert.equal(top.digest, idx.index.digest);
      for (const img of [amd64, arm64]) {
        const child = await fetchManifest(reg.host, repo, img.manifest.digest, { creds, accept: img.manifest.mediaType });
        assert.equal(child.digest, img.manifest.digest);
      }
      // skopeo resolves the index to the arm64 image when asked for that platform. (Its `Digest`
      // field is the digest of the top-level index, so compare the layers.)
      const { stdout } = await skopeo('--override-arch', 'arm64', '--override-variant', 'v8', 'inspect', '--tls-verify=false', '--creds', 'alice:s3cret', `docker://${reg.host}/${repo}:multi`);
      const inspected = JSON.parse(stdout) as { Digest: string; Architecture: string; Layers: string[] };
      assert.equal(inspected.Digest, idx.index.digest);
      assert.equal(inspected.Architecture, 'arm64');
      assert.deepEqual(inspected.Layers, arm64.layers.map((l) => l.digest));
    });
  }

  it('writes a layout that skopeo itself can read and push (oci: transport)', async () => {
    const img = await buildImage({ layers: [10_000], tag: 'from-layout' });
    fixtures.push(img);
    await skopeo('copy', '--dest-tls-verify=false', '--dest-creds', 'alice:s3cret', `oci:${img.dir}:from-layout`, `docker://${reg.host}/team/layout:from-layout`);
    const m = await fetchManifest(reg.host, 'team/layout', 'from-layout', { creds });
    assert.equal(m.digest, img.manifest.digest);
  });
});
