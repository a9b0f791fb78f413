import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { announceGroups } from './announce-groups.js';
import { blobDirsProblem, parseBlobDirs } from './blob-dirs.js';
import type { LocalProvider } from './local-provider.js';

describe('BLOB_DIRS', () => {
  it('maps each entry to a source, plain paths being edge-cache stores as before', () => {
    assert.deepEqual(parseBlobDirs('edge-cache:/var/lib/accelerboat/cache, seeder:/var/lib/accelerboat/seeder,/srv/old/'), [
      { source: 'edge-cache', path: '/var/lib/accelerboat/cache' },
      { source: 'seeder', path: '/var/lib/accelerboat/seeder' },
      { source: 'edge-cache', path: '/srv/old' },
    ]);
  });

  it('takes a URL of the serving peer endpoint after @', () => {
    assert.deepEqual(parseBlobDirs('seeder:/data/seed@http://10.0.0.5:5083/,/data/a@b'), [
      { source: 'seeder', path: '/data/seed', url: 'http://10.0.0.5:5083' },
      { source: 'edge-cache', path: '/data/a@b' },
    ]);
  });

  it('refuses relative paths, unknown sources and two URLs for one source', () => {
    assert.match(blobDirsProblem('cache') ?? '', /absolute path/);
    assert.match(blobDirsProblem('containerd:/var/lib/containerd') ?? '', /absolute path/);
    assert.match(blobDirsProblem('seeder:/a@http://x:1,seeder:/b@http://y:1') ?? '', /different URLs/);
    assert.equal(blobDirsProblem(''), undefined);
  });

  it('groups stores by source, each with its URL, and leaves out a source nobody serves', () => {
    const containerd: LocalProvider = { name: 'containerd', scan: async () => new Map(), watch: () => () => undefined };
    const withUrl = announceGroups({ blobDirs: parseBlobDirs('/c1,/c2,seeder:/s@http://s:5083'), peerUrl: 'http://n:5080', containerd });
    assert.deepEqual(
      withUrl.groups.map((g) => [g.source, g.url, g.providers.map((p) => p.name)]),
      [
        ['containerd', 'http://n:5080', ['containerd']],
        ['edge-cache', 'http://n:5080', ['/c1', '/c2']],
        ['seeder', 'http://s:5083', ['/s']],
      ],
    );
    const noUrl = announceGroups({ blobDirs: parseBlobDirs('/c1,seeder:/s@http://s:5083'), containerd });
    assert.deepEqual(noUrl.groups.map((g) => g.source), ['seeder']);
    assert.deepEqual(noUrl.skipped, ['containerd:containerd', 'edge-cache:/c1']);
  });
});
