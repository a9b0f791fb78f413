import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryLayerIndex } from '@accelerboat/layer-index';
import { ProtocolError } from '@accelerboat/registry-protocol';
import { FakeManifests, desc, indexDoc, manifestDoc, sha } from './image.fixture.js';
import { ImageLayers } from './image-layers.js';
import { ImageResolver } from './image-resolver.js';

const query = { registry: 'docker.io', repository: 'library/app', reference: 'v1' };

describe('ImageResolver and ImageLayers', () => {
  let manifests: FakeManifests;
  let index: MemoryLayerIndex;
  let layers: ImageLayers;
  const amd = manifestDoc([desc('a', 10), desc('b', 20)]);
  const arm = manifestDoc([desc('arm', 30)], 'arm-config');
  beforeEach(() => {
    manifests = new FakeManifests();
    index = new MemoryLayerIndex();
    layers = new ImageLayers(new ImageResolver(manifests), index);
  });

  it('lists config then layers of a manifest, each with the holders of that size', async () => {
    const digest = manifests.add(amd, 'v1');
    await index.announce('seeder-0', 'http://seeder-0:5083', [{ digest: sha('a'), size: 10, source: 'seeder' }], 60);
    await index.announce('node-b', 'http://node-b:5080', [{ digest: sha('a'), size: 11, source: 'edge-cache' }], 60);
    const res = await layers.layers(query);
    assert.equal(res.registry, 'registry-1.docker.io');
    assert.equal(res.digest, digest);
    assert.equal(res.manifestDigest, digest);
    assert.equal(res.platform, undefined);
    assert.deepEqual(res.layers.map((l) => [l.kind, l.size, l.holderCount]), [['config', 100, 0], ['layer', 10, 1], ['layer', 20, 0]]);
    assert.deepEqual({ ...res.layers[1]!.holders[0], lastSeen: undefined }, { nodeId: 'seeder-0', size: 10, source: 'seeder', url: 'http://seeder-0:5083', lastSeen: undefined });
    assert.match(res.layers[1]!.holders[0]!.lastSeen, /^\d{4}-\d\d-\d\dT/);
  });

  it('follows an index to linux/amd64 by default, or to the platform asked for, with the caller credential', async () => {
    const top = manifests.add(indexDoc([{ doc: arm, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }, { doc: amd, platform: { os: 'linux', architecture: 'amd64' } }]), 'v1');
    const amdDigest = manifests.add(amd);
    manifests.add(arm);
    const res = await layers.layers({ ...query, authorization: 'Basic YTpi' });
    assert.deepEqual([res.digest, res.manifestDigest, res.platform, res.layers.length], [top, amdDigest, 'linux/amd64', 3]);
    assert.deepEqual(manifests.asked.map((q) => [q.reference, q.authorization]), [['v1', 'Basic YTpi'], [amdDigest, 'Basic YTpi']]);
    const onArm = await layers.layers({ ...query, platform: 'linux/arm64' });
    assert.deepEqual([onArm.platform, onArm.layers[1]!.digest], ['linux/arm64/v8', sha('arm')]);
  });

  it('answers NOT_FOUND naming the platforms an index offers, and passes upstream errors on', async () => {
    manifests.add(indexDoc([{ doc: arm, platform: { os: 'linux', architecture: 'arm64' } }]), 'v1');
    await assert.rejects(layers.layers({ ...query, platform: 'linux/s390x' }), (e: unknown) => ProtocolError.is(e, 'NOT_FOUND') && /has no linux\/s390x image \(it has linux\/arm64\)/.test(e.message));
    await assert.rejects(layers.layers({ ...query, reference: 'v2' }), (e: unknown) => ProtocolError.is(e, 'NOT_FOUND'));
  });
});
