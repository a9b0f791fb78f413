import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryLayerIndex } from '@accelerboat/layer-index';
import { BlobLocator } from './blob-locator.js';

const digest = `sha256:${'c'.repeat(64)}`;

describe('BlobLocator.locate', () => {
  it('offers every other node with a peer endpoint, never the asker, freshest first', async () => {
    let t = 1000;
    const index = new MemoryLayerIndex(() => t);
    await index.announce('node-a', 'http://a:5080', [{ digest, size: 5, source: 'edge-cache' }], 60);
    t += 1;
    await index.announce('seeder-1', 'http://s1:5083', [{ digest, size: 5, source: 'seeder' }], 60);
    t += 1;
    await index.announce('node-c', undefined, [{ digest, size: 5, source: 'containerd' }], 60);
    const res = await new BlobLocator(index).locate({ digest, nodeId: 'node-a' });
    assert.deepEqual(res, { digest, size: 5, sources: [{ kind: 'seeder', nodeId: 'seeder-1', url: 'http://s1:5083' }] });
  });

  it('ignores holders whose size disagrees with the manifest descriptor', async () => {
    const index = new MemoryLayerIndex();
    await index.announce('node-b', 'http://b:5080', [{ digest, size: 4, source: 'edge-cache' }], 60);
    assert.deepEqual((await new BlobLocator(index).locate({ digest, size: 5 })).sources, []);
  });

  it('answers with no sources when nobody holds the blob, so the caller goes upstream', async () => {
    assert.deepEqual(await new BlobLocator(new MemoryLayerIndex()).locate({ digest }), { digest, sources: [] });
  });
});

describe('BlobLocator.locate of a cold blob', () => {
  const ticket = { jobId: 'job-1', seederId: 'seeder-1', url: 'http://s1:5083' };
  const cold = { digest, size: 5, nodeId: 'node-a', registry: 'registry-1.docker.io', repository: 'library/alpine' };

  it('starts a seeder job and offers that seeder as the source', async () => {
    const asked: unknown[] = [];
    const jobs = { ensureJob: async (r: unknown) => (asked.push(r), ticket) };
    const res = await new BlobLocator(new MemoryLayerIndex(), { jobs }).locate({ ...cold, authorization: 'Bearer s3cret' });
    assert.deepEqual(res, { digest, size: 5, sources: [{ kind: 'seeder', nodeId: 'seeder-1', url: 'http://s1:5083' }], jobId: 'job-1' });
    assert.deepEqual(asked, [{ digest, size: 5, registry: 'registry-1.docker.io', repository: 'library/alpine', authorization: 'Bearer s3cret' }]);
  });

  it('starts no job without registry and repository, or when a node holds the blob', async () => {
    let asked = 0;
    const jobs = { ensureJob: async () => (asked++, ticket) };
    const index = new MemoryLayerIndex();
    assert.deepEqual((await new BlobLocator(index, { jobs }).locate({ digest })).sources, []);
    await index.announce('node-b', 'http://b:5080', [{ digest, size: 5, source: 'edge-cache' }], 60);
    assert.equal((await new BlobLocator(index, { jobs }).locate(cold)).sources[0]?.kind, 'peer');
    assert.equal(asked, 0);
  });

  it('answers with no sources when no seeder takes the job or the scheduler fails', async () => {
    const errors: unknown[] = [];
    const none = { ensureJob: async () => undefined };
    const broken = { ensureJob: () => Promise.reject(new Error('redis down')) };
    assert.deepEqual(await new BlobLocator(new MemoryLayerIndex(), { jobs: none }).locate(cold), { digest, size: 5, sources: [] });
    const res = await new BlobLocator(new MemoryLayerIndex(), { jobs: broken, onJobError: (e) => errors.push(e) }).locate(cold);
    assert.deepEqual(res, { digest, size: 5, sources: [] });
    assert.equal(errors.length, 1);
  });
});
