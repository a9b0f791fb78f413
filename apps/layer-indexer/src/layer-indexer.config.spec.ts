import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '@accelerboat/config';
import { layerIndexerConfig } from './layer-indexer.config.js';

const base = { INSTANCE_ID: 'node-1' };

describe('layer-indexer config', () => {
  it('defaults to the Kubernetes containerd and an edge cache, with no PEER_URL', () => {
    const c = loadConfig(layerIndexerConfig, base);
    assert.equal(c.containerd.socket, '/run/containerd/containerd.sock');
    assert.equal(c.containerd.namespace, 'k8s.io');
    assert.equal(c.containerd.contentDir, undefined);
    assert.equal(c.app.peerUrl, undefined);
    assert.deepEqual(c.app.blobDirSpecs, [{ source: 'edge-cache', path: '/var/lib/accelerboat/cache' }]);
  });

  it('reads the stores with their sources and the peer URL', () => {
    const c = loadConfig(layerIndexerConfig, {
      ...base,
      BLOB_DIRS: 'edge-cache:/c,seeder:/s@http://10.0.0.1:5083',
      PEER_URL: 'http://10.0.0.1:5080',
      CONTAINERD_CONTENT_DIR: '/var/lib/containerd/io.containerd.content.v1.content',
    });
    assert.deepEqual(c.app.blobDirSpecs.map((d) => [d.source, d.path, d.url]), [['edge-cache', '/c', undefined], ['seeder', '/s', 'http://10.0.0.1:5083']]);
    assert.equal(c.app.peerUrl, 'http://10.0.0.1:5080');
  });

  it('names every bad key', () => {
    assert.throws(
      () => loadConfig(layerIndexerConfig, { ...base, BLOB_DIRS: 'relative/path', PEER_URL: 'not a url', CONTAINERD_SOCK: 'run/c.sock', CONTAINERD_NAMESPACE: 'bad ns' }),
      (e: unknown) =>
        e instanceof ConfigError &&
        ['BLOB_DIRS', 'PEER_URL', 'CONTAINERD_SOCK', 'CONTAINERD_NAMESPACE'].every((k) => e.message.includes(k)) &&
        !/relative\/path|not a url|run\/c\.sock|bad ns/.test(e.message),
    );
  });
});
