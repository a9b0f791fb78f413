import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '@accelerboat/testing';
import { BlobDirProvider } from './blob-dir-provider.js';
import { dropBlob, until } from './local-content.fixture.js';

const dirs: { remove(): Promise<void> }[] = [];
after(async () => Promise.all(dirs.map((d) => d.remove())));

describe('BlobDirProvider', () => {
  it('lists blobs/sha256 by name and size, ignoring tmp/, other names and directories', async () => {
    const d = tempDir('ab-blobdir-');
    dirs.push(d);
    const a = dropBlob(d.path, Buffer.alloc(10));
    mkdirSync(join(d.path, 'tmp'));
    writeFileSync(join(d.path, 'tmp', 'f'.repeat(64)), 'partial');
    writeFileSync(join(d.path, 'blobs', 'sha256', 'not-a-digest'), 'x');
    mkdirSync(join(d.path, 'blobs', 'sha256', 'e'.repeat(64)));
    assert.deepEqual([...(await new BlobDirProvider(d.path).scan())], [[a, 10]]);
  });

  it('holds nothing while the store does not exist yet', async () => {
    assert.equal((await new BlobDirProvider('/nonexistent/accelerboat-store').scan()).size, 0);
  });

  it('reports files arriving and leaving, and asks for a rescan once the directory appears', async () => {
    const d = tempDir('ab-blobdir-');
    dirs.push(d);
    const seen: string[] = [];
    const stop = new BlobDirProvider(d.path, { rewatchMs: 20, settleMs: 10 }).watch({
      added: (digest, size) => seen.push(`+${digest}:${size}`),
      removed: (digest) => seen.push(`-${digest}`),
      rescan: () => seen.push('rescan'),
    });
    try {
      mkdirSync(join(d.path, 'blobs', 'sha256'), { recursive: true });
      await until('the watcher is armed', () => seen.includes('rescan'));
      const digest = dropBlob(d.path, Buffer.alloc(7));
      await until('the blob was reported', () => seen.includes(`+${digest}:7`));
      await rm(join(d.path, 'blobs', 'sha256', digest.slice(7)));
      await until('the removal was reported', () => seen.includes(`-${digest}`));
    } finally {
      stop();
    }
  });
});
