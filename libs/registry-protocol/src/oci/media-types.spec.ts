import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  baseMediaType,
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  isIndexMediaType,
  isManifestMediaType,
  MANIFEST_ACCEPT,
  MANIFEST_MAX_BYTES,
  mediaRangeProblem,
  mediaTypeProblem,
  OCI_INDEX,
  OCI_LAYER_TAR_GZIP,
  OCI_MANIFEST,
} from './media-types.js';

describe('media types', () => {
  it('lists the four manifest types in the order containerd sends them', () => {
    assert.deepEqual(MANIFEST_ACCEPT, [DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_MANIFEST, OCI_INDEX]);
  });

  it('caps manifests at 4 MiB', () => {
    assert.equal(MANIFEST_MAX_BYTES, 4_194_304);
  });

  it('tells single manifests from indexes, ignoring case and parameters', () => {
    assert.ok(isManifestMediaType(OCI_MANIFEST));
    assert.ok(isManifestMediaType(`${DOCKER_MANIFEST}; charset=utf-8`));
    assert.ok(isManifestMediaType(OCI_MANIFEST.toUpperCase()));
    assert.equal(isManifestMediaType(OCI_INDEX), false);
    assert.ok(isIndexMediaType(OCI_INDEX));
    assert.ok(isIndexMediaType(` ${DOCKER_MANIFEST_LIST} `));
    assert.equal(isIndexMediaType(OCI_LAYER_TAR_GZIP), false);
    assert.equal(baseMediaType('Application/JSON ; q=1'), 'application/json');
  });
});

describe('mediaTypeProblem', () => {
  it('accepts media types with simple parameters', () => {
    for (const t of [OCI_MANIFEST, 'application/json', 'application/json; charset=utf-8', 'application/vnd.docker.distribution.manifest.v1+prettyjws']) {
      assert.equal(mediaTypeProblem(t), undefined, t);
    }
  });

  it('rejects wildcards, missing subtypes, control characters and overlong values', () => {
    for (const t of ['*/*', 'application/*', 'application', 'application/', '/json', 'a/b\r\nX-Injected: 1', 'a/b\u0000', 'a b/c', `a/${'b'.repeat(300)}`, '']) {
      assert.notEqual(mediaTypeProblem(t), undefined, JSON.stringify(t));
    }
  });
});

describe('mediaRangeProblem', () => {
  it('accepts Accept items including */*, type/* and q parameters', () => {
    for (const t of ['*/*', 'application/*', `${OCI_INDEX};q=0.9`, OCI_MANIFEST]) assert.equal(mediaRangeProblem(t), undefined, t);
  });

  it('rejects lists, half wildcards and injected headers', () => {
    for (const t of [`${OCI_INDEX}, */*`, '*/json', 'a/b\nc', 42]) assert.notEqual(mediaRangeProblem(t), undefined, String(t));
  });
});
