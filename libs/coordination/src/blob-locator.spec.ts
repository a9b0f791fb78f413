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
