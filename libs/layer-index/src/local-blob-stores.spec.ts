import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { MemoryContentStore } from '@accelerboat/containerd-client';
import { tempDir } from '@accelerboat/testing';
import { LocalBlobStores } from './local-blob-stores.js';
import { dropBlob } from './local-content.fixture.js';

const dir = tempDir('ab-local-stores-');
after(() => dir.remove());

describe('LocalBlobStores', () => {
  it('finds a blob in a store directory, then in containerd, and nowhere else', async () => {
    const containerd = new MemoryContentStore();
    const stores = new LocalBlobStores([dir.path], containerd);
    const onDisk = dropBlob(dir.path, Buffer.alloc(9));
    const inContainerd = containerd.put(Buffer.alloc(4, 1));
    assert.equal(await stores.sizeOf(onDisk), 9);
    assert.equal(await stores.sizeOf(inContainerd), 4);
    assert.equal(await stores.sizeOf(`sha256:${randomBytes(32).toString('hex')}`), undefined);
  });

  it('answers absent while containerd cannot be asked', async () => {
    const containerd = new MemoryContentStore();
    const digest = containerd.put(Buffer.alloc(4, 2));
    containerd.unavailable = true;
    assert.equal(await new LocalBlobStores([], containerd).sizeOf(digest), undefined);
  });
});
