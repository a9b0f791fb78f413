import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import protobuf from 'protobufjs';
import { toContainerdEvent } from './containerd-events.js';
import { contentEventFilters } from './content-events.js';
import { containerdApi } from './generated/containerd-api.js';

const types = protobuf.Root.fromJSON(containerdApi);
const any = (typeUrl: string, value: Record<string, unknown>) => {
  const t = types.lookupType(typeUrl);
  return { type_url: typeUrl, value: Buffer.from(t.encode(t.fromObject(value)).finish()) };
};
const envelope = (topic: string, event: { type_url: string; value: Buffer }) => ({ timestamp: { seconds: '1700000000', nanos: 5_000_000 }, namespace: 'k8s.io', topic, event });
const digest = `sha256:${'ab'.repeat(32)}`;

describe('containerd event decoding', () => {
  it('decodes a content delete', () => {
    assert.deepEqual(toContainerdEvent(envelope('/content/delete', any('containerd.events.ContentDelete', { digest }))), {
      type: 'content-delete',
      topic: '/content/delete',
      namespace: 'k8s.io',
      timestamp: new Date(1_700_000_000_005),
      digest,
    });
  });

  it('decodes image create, update and delete with their names and labels', () => {
    const c = toContainerdEvent(envelope('/images/create', any('containerd.services.images.v1.ImageCreate', { name: 'docker.io/x/y:1', labels: { a: 'b' } })));
    assert.deepEqual([c.type, 'name' in c && c.name, 'labels' in c && c.labels], ['image-create', 'docker.io/x/y:1', { a: 'b' }]);
    const u = toContainerdEvent(envelope('/images/update', any('containerd.services.images.v1.ImageUpdate', { name: 'n:1' })));
    assert.deepEqual([u.type, 'labels' in u && u.labels], ['image-update', {}]);
    const d = toContainerdEvent(envelope('/images/delete', { type_url: 'type.googleapis.com/containerd.services.images.v1.ImageDelete', value: any('containerd.services.images.v1.ImageDelete', { name: 'n:1' }).value }));
    assert.deepEqual([d.type, 'name' in d && d.name], ['image-delete', 'n:1']);
  });

  it('passes other topics and unknown payload types through as "other"', () => {
    const e = toContainerdEvent(envelope('/snapshot/commit', { type_url: 'containerd.events.SnapshotCommit', value: Buffer.from([10, 1, 120]) }));
    assert.deepEqual([e.type, 'typeUrl' in e && e.typeUrl], ['other', 'containerd.events.SnapshotCommit']);
  });

  it('builds filters for one namespace, quoted for containerd', () => {
    assert.deepEqual(contentEventFilters('k8s.io'), ['topic=="/content/delete",namespace=="k8s.io"', 'topic~="^/images/",namespace=="k8s.io"']);
  });
});

describe('generated API descriptor', () => {
  it('matches the vendored protos in proto/containerd (run the codegen script if this fails)', async () => {
    const script = resolve(import.meta.dirname, '..', 'scripts', 'codegen.mjs');
    await promisify(execFile)(process.execPath, [script, '--check']);
  });
});
