import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MANIFEST_ACCEPT, MANIFEST_MAX_BYTES, OCI_MANIFEST } from '../oci/media-types.js';
import { assertRejected, digestFixture } from '../testing/fixtures.js';
import { validateMessage } from '../validate.js';
import { GetManifestRequest, GetManifestResponse, HeadManifestRequest, HeadManifestResponse } from './manifest.js';

const request = { registry: 'ghcr.io', repository: 'org/app', reference: 'v1.2.3', accept: [...MANIFEST_ACCEPT, '*/*'] };
const body = Buffer.from('{"schemaVersion":2}');

describe('HeadManifestRequest and GetManifestRequest', () => {
  it('accept tag and digest references with the containerd Accept list', () => {
    for (const cls of [HeadManifestRequest, GetManifestRequest]) {
      assert.ok(validateMessage(cls, request) instanceof cls);
      validateMessage(cls, { ...request, reference: digestFixture(), accept: [], authorization: 'Bearer abc' });
    }
  });

  it('reject path traversal in the repository and bad references', () => {
    assertRejected(GetManifestRequest, { ...request, repository: 'org/../../v2' }, 'repository');
    assertRejected(HeadManifestRequest, { ...request, reference: '../latest' }, 'reference');
    assertRejected(HeadManifestRequest, { ...request, reference: `sha256:${'A'.repeat(64)}` }, 'reference');
    assertRejected(HeadManifestRequest, { ...request, registry: 'https://ghcr.io' }, 'registry');
    assertRejected(HeadManifestRequest, { ...request, accept: ['application/json\r\nX: 1'] }, 'accept');
  });
});

describe('GetManifestResponse', () => {
  const response = { digest: digestFixture('m'), mediaType: OCI_MANIFEST, size: body.length, body: body.toString('base64') };

  it('accepts the exact bytes whose length matches size', () => {
    const res = validateMessage(GetManifestResponse, response);
    assert.deepEqual(Buffer.from(res.body, 'base64'), body);
    const { body: _, ...head } = response;
    validateMessage(HeadManifestResponse, head);
  });

  it('rejects bodies whose length differs from size, non-canonical base64 and oversized manifests', () => {
    assertRejected(GetManifestResponse, { ...response, size: body.length + 1 }, 'body');
    assertRejected(GetManifestResponse, { ...response, body: response.body.replace(/=+$/, '') + '\n' }, 'body');
    const { body: _, ...head } = response;
    assertRejected(HeadManifestResponse, { ...head, size: MANIFEST_MAX_BYTES + 1 }, 'size');
    const big = Buffer.alloc(MANIFEST_MAX_BYTES + 1).toString('base64');
    assertRejected(GetManifestResponse, { ...response, size: MANIFEST_MAX_BYTES, body: big }, 'body');
  });
});
