import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRoute } from './route.js';
import { OciError } from './oci-error.js';

const digest = `sha256:${'d'.repeat(64)}`;

function refused(path: string, code: string): void {
  assert.throws(() => parseRoute(path), (e: unknown) => e instanceof OciError && e.code === code, path);
}

describe('parseRoute', () => {
  it('recognises the version check, manifests, blobs and the token endpoint', () => {
    assert.deepEqual(parseRoute('/v2/'), { kind: 'version' });
    assert.deepEqual(parseRoute('/v2/library/alpine/manifests/3.20'), { kind: 'manifest', repository: 'library/alpine', reference: '3.20' });
    assert.deepEqual(parseRoute(`/v2/a/b/c/manifests/${digest}`), { kind: 'manifest', repository: 'a/b/c', reference: digest });
    assert.deepEqual(parseRoute(`/v2/library/alpine/blobs/${digest}`), { kind: 'blob', repository: 'library/alpine', digest });
    assert.deepEqual(parseRoute('/v2/token'), { kind: 'token' });
  });

  it('leaves uploads, tag lists and unknown paths to the reverse proxy', () => {
    assert.deepEqual(parseRoute('/v2/x/blobs/uploads/'), { kind: 'other' });
    assert.deepEqual(parseRoute('/v2/x/tags/list'), { kind: 'other' });
    assert.deepEqual(parseRoute('/v2/_catalog'), { kind: 'other' });
  });

  it('refuses path traversal, encoded separators, uppercase and overlong names', () => {
    refused(`/v2/../etc/blobs/${digest}`, 'NAME_INVALID');
    refused(`/v2/a/../../b/manifests/latest`, 'NAME_INVALID');
    refused(`/v2/a%2f..%2fb/manifests/latest`, 'NAME_INVALID');
    refused(`/v2/%2e%2e/blobs/${digest}`, 'NAME_INVALID');
    refused(`/v2/Library/Alpine/manifests/latest`, 'NAME_INVALID');
    refused(`/v2/${'a'.repeat(256)}/manifests/latest`, 'NAME_INVALID');
    refused(`/v2/a//b/manifests/latest`, 'NAME_INVALID');
    refused(`/v2/${'a/'.repeat(600)}x/manifests/latest`, 'NAME_INVALID');
  });

  it('refuses malformed digests and references with the spec codes', () => {
    refused('/v2/a/blobs/sha256:abc', 'DIGEST_INVALID');
    refused(`/v2/a/blobs/${digest.toUpperCase()}`, 'DIGEST_INVALID');
    refused('/v2/a/blobs/md5:0123456789abcdef0123456789abcdef', 'DIGEST_INVALID');
    refused('/v2/a/manifests/-bad', 'MANIFEST_INVALID');
    refused(`/v2/a/manifests/${'t'.repeat(129)}`, 'MANIFEST_INVALID');
  });
});
