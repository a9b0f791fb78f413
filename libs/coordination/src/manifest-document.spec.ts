import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST, ProtocolError } from '@accelerboat/registry-protocol';
import { desc, indexDoc, manifestDoc } from './image.fixture.js';
import { parseManifestDocument, pickPlatform } from './manifest-document.js';

const bytes = (doc: unknown): Buffer => Buffer.from(JSON.stringify(doc));
const upstreamError = (e: unknown): boolean => ProtocolError.is(e, 'UPSTREAM_ERROR');

describe('parseManifestDocument', () => {
  it('reads an image manifest into its config and layers', () => {
    const layers = [desc('a', 10), desc('b', 20)];
    const doc = parseManifestDocument(bytes(manifestDoc(layers)), OCI_MANIFEST);
    assert.equal(doc.kind, 'manifest');
    assert.deepEqual(doc.kind === 'manifest' && doc.layers, layers);
    assert.equal(doc.kind === 'manifest' && doc.config.size, 100);
  });

  it('reads an index (also without a mediaType field) with each entry platform', () => {
    const index = indexDoc([{ doc: manifestDoc([]), platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }], DOCKER_MANIFEST_LIST);
    const { mediaType: _omit, ...bare } = index as { mediaType: string };
    for (const [body, type] of [[index, OCI_INDEX], [bare, DOCKER_MANIFEST_LIST]] as const) {
      const doc = parseManifestDocument(bytes(body), type);
      assert.equal(doc.kind, 'index');
      assert.deepEqual(doc.kind === 'index' && doc.manifests[0]!.platform, { os: 'linux', architecture: 'arm64', variant: 'v8' });
    }
  });

  it('refuses what a seeder must never be sent: bad digests, sizes, JSON and shapes', () => {
    assert.throws(() => parseManifestDocument(Buffer.from('{'), OCI_MANIFEST), upstreamError);
    assert.throws(() => parseManifestDocument(bytes([]), OCI_MANIFEST), upstreamError);
    assert.throws(() => parseManifestDocument(bytes(manifestDoc([{ ...desc('a', 1), digest: 'sha256:../../etc' }])), OCI_MANIFEST), /layers\.0\.digest/);
    assert.throws(() => parseManifestDocument(bytes(manifestDoc([{ ...desc('a', 1), size: -1 }])), OCI_MANIFEST), /layers\.0\.size/);
    assert.throws(() => parseManifestDocument(bytes({ schemaVersion: 2, layers: [] }), OCI_MANIFEST), /config is not a descriptor/);
    assert.throws(() => parseManifestDocument(bytes(manifestDoc(Array(600).fill(desc('a', 1)))), OCI_MANIFEST), /more than/);
    assert.throws(() => parseManifestDocument(bytes({ schemaVersion: 1, fsLayers: [] }), 'application/json'), (e: unknown) => ProtocolError.is(e, 'NOT_IMPLEMENTED'));
  });
});

describe('pickPlatform', () => {
  const entry = (os: string, architecture: string, variant?: string) => ({ ...desc(`${os}${architecture}${variant}`, 1), platform: { os, architecture, ...(variant ? { variant } : {}) } });
  const list = [entry('unknown', 'unknown'), entry('linux', 'arm', 'v7'), entry('linux', 'arm64', 'v8'), entry('linux', 'amd64'), entry('linux', 'arm', 'v6')];

  it('matches os and architecture, and the variant when one is asked for', () => {
    assert.equal(pickPlatform(list, { os: 'linux', architecture: 'amd64' }), list[3]);
    assert.equal(pickPlatform(list, { os: 'linux', architecture: 'arm64' }), list[2]);
    assert.equal(pickPlatform(list, { os: 'linux', architecture: 'arm', variant: 'v6' }), list[4]);
    assert.equal(pickPlatform(list, { os: 'windows', architecture: 'amd64' }), undefined);
    assert.equal(pickPlatform(list, { os: 'linux', architecture: 'amd64', variant: 'v2' }), undefined);
  });
});
