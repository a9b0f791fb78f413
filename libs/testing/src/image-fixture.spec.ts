import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { buildImage, buildIndex, type ImageFixture, type IndexFixture } from './index.js';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('buildImage', () => {
  const made: (ImageFixture | IndexFixture)[] = [];
  after(async () => {
    for (const f of made) await f.remove();
  });

  it('writes real tar+gzip layers whose diff_ids and digests match their content', async () => {
    const img = await buildImage({ layers: [0, 1, 700, 100_000], seed: 'unit' });
    made.push(img);
    const config = JSON.parse(img.config.bytes.toString()) as { rootfs: { diff_ids: string[] } };
    assert.deepEqual(config.rootfs.diff_ids, img.layers.map((l) => l.diffId));
    for (const [i, layer] of img.layers.entries()) {
      const blob = readFileSync(img.blobPath(layer.digest));
      assert.equal(sha(blob), layer.digest);
      assert.equal(blob.length, layer.size);
      const tar = gunzipSync(blob);
      assert.equal(sha(tar), layer.diffId);
      // ustar: name at 0, octal size at 124, payload after the 512-byte header.
      assert.equal(tar.subarray(0, 100).toString().replace(/\0+$/, ''), `layer${i}.bin`);
      assert.equal(parseInt(tar.subarray(124, 136).toString(), 8), [0, 1, 700, 100_000][i]);
      assert.equal(tar.length % 512, 0);
    }
  });

  it('writes manifest, config and index.json consistently', async () => {
    const img = await buildImage({ layers: [10], seed: 'unit' });
    made.push(img);
    assert.equal(sha(img.manifest.bytes), img.manifest.digest);
    assert.deepEqual(readFileSync(img.blobPath(img.manifest.digest)), img.manifest.bytes);
    const manifest = JSON.parse(img.manifest.bytes.toString()) as { config: { digest: string; size: number } };
    assert.equal(manifest.config.digest, img.config.digest);
    assert.equal(manifest.config.size, img.config.size);
    const index = JSON.parse(readFileSync(`${img.dir}/index.json`, 'utf8')) as { manifests: { digest: string; annotations: Record<string, string> }[] };
    assert.equal(index.manifests[0]!.digest, img.manifest.digest);
    assert.equal(index.manifests[0]!.annotations['org.opencontainers.image.ref.name'], 'latest');
  });

  it('gives the same digests for the same seed and different ones for another seed', async () => {
    const a = await buildImage({ layers: [5000, 6000], seed: 42 });
    const b = await buildImage({ layers: [5000, 6000], seed: 42 });
    const c = await buildImage({ layers: [5000, 6000], seed: 43 });
    made.push(a, b, c);
    assert.equal(a.manifest.digest, b.manifest.digest);
    assert.notEqual(a.manifest.digest, c.manifest.digest);
    assert.notEqual(a.layers[0]!.digest, a.layers[1]!.digest);
  });

  it('uses Docker schema 2 media types when asked', async () => {
    const img = await buildImage({ layers: [10], mediaTypes: 'docker' });
    made.push(img);
    assert.equal(img.manifest.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    assert.equal(img.config.mediaType, 'application/vnd.docker.container.image.v1+json');
    assert.equal(img.layers[0]!.mediaType, 'application/vnd.docker.image.rootfs.diff.tar.gzip');
    assert.equal(JSON.parse(img.manifest.bytes.toString()).mediaType, img.manifest.mediaType);
  });

  it('combines per-platform images into an index that lists each platform', async () => {
    const amd = await buildImage({ layers: [10], mediaTypes: 'docker' });
    const arm = await buildImage({ layers: [10], mediaTypes: 'docker', platform: { os: 'linux', architecture: 'arm64' } });
    const idx = await buildIndex([amd, arm]);
    made.push(amd, arm, idx);
    assert.equal(idx.index.mediaType, 'application/vnd.docker.distribution.manifest.list.v2+json');
    const list = JSON.parse(idx.index.bytes.toString()) as { manifests: { digest: string; platform: { architecture: string } }[] };
    assert.deepEqual(list.manifests.map((m) => [m.digest, m.platform.architecture]), [[amd.manifest.digest, 'amd64'], [arm.manifest.digest, 'arm64']]);
    assert.deepEqual(readFileSync(idx.blobPath(arm.layers[0]!.digest)), readFileSync(arm.blobPath(arm.layers[0]!.digest)));
  });
});
