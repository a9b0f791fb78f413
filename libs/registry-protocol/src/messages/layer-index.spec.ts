import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertRejected, digestFixture } from '../testing/fixtures.js';
import { validateMessage } from '../validate.js';
import {
  AnnounceLayersRequest,
  AnnounceLayersResponse,
  LAYER_BATCH_MAX,
  LookupLayerRequest,
  LookupLayerResponse,
  VerifyLayerRequest,
  VerifyLayerResponse,
  WithdrawLayersRequest,
  WithdrawLayersResponse,
} from './layer-index.js';

const entry = { digest: digestFixture(), size: 42, source: 'containerd' };

describe('AnnounceLayersRequest', () => {
  it('accepts a batch of entries and turns them into AnnouncedLayer instances', () => {
    const req = validateMessage(AnnounceLayersRequest, { nodeId: 'node-1', url: 'http://10.0.0.1:5001', entries: [entry], ttlSeconds: 300 });
    assert.equal(req.entries[0]?.constructor.name, 'AnnouncedLayer');
    validateMessage(AnnounceLayersResponse, { accepted: 1 });
  });

  it('rejects bad nested entries by path, unknown sources and oversized batches', () => {
    assertRejected(AnnounceLayersRequest, { nodeId: 'node-1', entries: [entry, { ...entry, digest: 'sha256:00' }] }, 'entries.1.digest');
    assertRejected(AnnounceLayersRequest, { nodeId: 'node-1', entries: [{ ...entry, source: 'internet' }] }, 'entries.0.source');
    assertRejected(AnnounceLayersRequest, { nodeId: 'node-1', entries: Array(LAYER_BATCH_MAX + 1).fill(entry) }, 'entries');
    assertRejected(AnnounceLayersRequest, { nodeId: 'node-1', entries: [], ttlSeconds: 0 }, 'ttlSeconds');
  });
});

describe('WithdrawLayersRequest', () => {
  it('accepts digests and rejects a bad one by index', () => {
    validateMessage(WithdrawLayersRequest, { nodeId: 'node-1', digests: [entry.digest] });
    validateMessage(WithdrawLayersResponse, { removed: 0 });
    const e = assertRejected(WithdrawLayersRequest, { nodeId: 'node-1', digests: [entry.digest, `sha256:${'a'.repeat(65)}`] }, 'digests');
    assert.match(e.message, /item 1 sha256 hex part must be 64 characters/);
  });
});

describe('LookupLayerRequest and LookupLayerResponse', () => {
  it('accept a lookup and its holders, and reject a loose lastSeen', () => {
    validateMessage(LookupLayerRequest, { digest: entry.digest });
    const holder = { nodeId: 'node-2', size: 42, source: 'edge-cache', url: 'http://10.0.0.2:5001', lastSeen: '2024-05-01T10:00:00.000Z' };
    validateMessage(LookupLayerResponse, { digest: entry.digest, holders: [holder] });
    assertRejected(LookupLayerResponse, { digest: entry.digest, holders: [{ ...holder, lastSeen: 'now' }] }, 'holders.0.lastSeen');
  });
});

describe('VerifyLayerRequest and VerifyLayerResponse', () => {
  it('accept a verification and reject a missing size', () => {
    validateMessage(VerifyLayerRequest, { digest: entry.digest, size: 42 });
    validateMessage(VerifyLayerResponse, { digest: entry.digest, present: false });
    assertRejected(VerifyLayerRequest, { digest: entry.digest }, 'size');
  });
});
