import { describe, it } from 'node:test';
import { assertRejected, digestFixture } from '../testing/fixtures.js';
import { validateMessage } from '../validate.js';
import { ImageLayersRequest, ImageLayersResponse, PreloadImageRequest, PreloadImageResponse } from './image.js';

const query = { registry: 'registry-1.docker.io', repository: 'library/alpine', reference: '3.20' };
const resolved = { ...query, digest: digestFixture('index'), manifestDigest: digestFixture('manifest'), platform: 'linux/amd64' };
const holder = { nodeId: 'seeder-0', size: 10, source: 'seeder', url: 'http://10.0.0.9:5083', lastSeen: '2024-05-01T10:00:00.000Z' };
const layer = { digest: digestFixture('l1'), size: 10, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', kind: 'layer', holders: [holder], holderCount: 1 };

describe('ImageLayersRequest and PreloadImageRequest', () => {
  it('accept a tag or digest reference with an optional platform and credential', () => {
    validateMessage(ImageLayersRequest, query);
    validateMessage(ImageLayersRequest, { ...query, reference: digestFixture(), platform: 'linux/arm64/v8' });
    validateMessage(PreloadImageRequest, { ...query, authorization: 'Basic YTpi' });
  });

  it('reject a registry with a scheme, a bad platform and a multi-line credential', () => {
    assertRejected(ImageLayersRequest, { ...query, registry: 'https://ghcr.io' }, 'registry');
    assertRejected(ImageLayersRequest, { ...query, platform: 'amd64' }, 'platform');
    assertRejected(PreloadImageRequest, { ...query, authorization: 'Basic a\nb' }, 'authorization');
    assertRejected(PreloadImageRequest, { ...query, reference: 'UP:per' }, 'reference');
  });
});

describe('ImageLayersResponse and PreloadImageResponse', () => {
  it('accept layers with holders and one preload entry per blob', () => {
    validateMessage(ImageLayersResponse, { ...resolved, layers: [{ ...layer, kind: 'config', holders: [], holderCount: 0 }, layer] });
    validateMessage(PreloadImageResponse, {
      ...resolved,
      jobs: [
        { digest: layer.digest, size: 10, kind: 'layer', status: 'held' },
        { digest: digestFixture('l2'), size: 20, kind: 'layer', status: 'assigned', jobId: 'job-1', seederId: 'seeder-0' },
        { digest: digestFixture('l3'), size: 30, kind: 'layer', status: 'unassigned', reason: 'no seeder accepted the job' },
      ],
    });
  });

  it('reject too many holders, unknown kinds and statuses', () => {
    assertRejected(ImageLayersResponse, { ...resolved, layers: [{ ...layer, holders: Array(9).fill(holder), holderCount: 9 }] }, 'layers.0.holders');
    assertRejected(ImageLayersResponse, { ...resolved, layers: [{ ...layer, kind: 'index' }] }, 'layers.0.kind');
    assertRejected(PreloadImageResponse, { ...resolved, jobs: [{ digest: layer.digest, size: 1, kind: 'layer', status: 'done' }] }, 'jobs.0.status');
  });
});
