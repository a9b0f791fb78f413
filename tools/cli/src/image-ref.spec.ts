import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError } from '@accelerboat/registry-protocol';
import { formatImageRef, parseImageReference } from './image-ref.js';

const digest = `sha256:${'a'.repeat(64)}`;

describe('parseImageReference', () => {
  it('applies the Docker Hub defaults: registry, library/ and latest', () => {
    assert.deepEqual(parseImageReference('alpine'), { registry: 'registry-1.docker.io', displayRegistry: 'docker.io', repository: 'library/alpine', reference: 'latest', tag: 'latest' });
    assert.deepEqual(parseImageReference('bitnami/redis:7.2'), { registry: 'registry-1.docker.io', displayRegistry: 'docker.io', repository: 'bitnami/redis', reference: '7.2', tag: '7.2' });
    assert.equal(parseImageReference('docker.io/library/ubuntu:24.04').repository, 'library/ubuntu');
    assert.equal(parseImageReference('index.docker.io/nginx').repository, 'library/nginx');
  });

  it('reads a registry from a first component with a dot, a port or localhost', () => {
    assert.deepEqual(parseImageReference('ghcr.io/org/team/app:v1'), { registry: 'ghcr.io', displayRegistry: 'ghcr.io', repository: 'org/team/app', reference: 'v1', tag: 'v1' });
    assert.deepEqual(parseImageReference('127.0.0.1:5000/team/app'), { registry: '127.0.0.1:5000', displayRegistry: '127.0.0.1:5000', repository: 'team/app', reference: 'latest', tag: 'latest' });
    assert.equal(parseImageReference('localhost/app:1').registry, 'localhost');
    assert.equal(parseImageReference('[fd00::1]:5000/app:1').registry, '[fd00::1]:5000');
  });

  it('resolves by digest when one is given, keeping the tag for display', () => {
    assert.deepEqual(parseImageReference(`quay.io/org/app@${digest}`), { registry: 'quay.io', displayRegistry: 'quay.io', repository: 'org/app', reference: digest, digest });
    const both = parseImageReference(`quay.io/org/app:v2@${digest}`);
    assert.deepEqual([both.reference, both.tag], [digest, 'v2']);
    assert.equal(formatImageRef(both), `quay.io/org/app:v2@${digest}`);
    assert.equal(formatImageRef(parseImageReference('alpine')), 'docker.io/library/alpine:latest');
  });

  it('refuses malformed references with INVALID_ARGUMENT naming the part', () => {
    const cases: [string, RegExp][] = [
      ['', /must not be empty/],
      ['Alpine', /repository must be lowercase/],
      ['ghcr.io/org/app:', /tag/],
      ['ghcr.io/org/app@sha256:abc', /digest|hex/],
      ['ghcr.io/org/app@latest', /must be a digest/],
      ['ghcr.io/a//b', /empty path components/],
      ['https://ghcr.io/app', /./],
      ['ghcr.io/org/../app', /"\." or "\.\."/],
    ];
    for (const [input, message] of cases) {
      assert.throws(() => parseImageReference(input), (e: unknown) => ProtocolError.is(e, 'INVALID_ARGUMENT') && message.test(e.message), input);
    }
  });
});
