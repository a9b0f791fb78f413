import type { LayerIndex } from '@accelerboat/layer-index';
import { IMAGE_MAX_HOLDERS, type ImageLayersRequest, type ImageLayersResponse } from '@accelerboat/registry-protocol';
import { holderDto } from './cluster-views.js';
import type { ImageResolver } from './image-resolver.js';

/**
 * Where each blob of an image is in the cluster: the image resolved to one platform's manifest,
 * then every blob looked up in the layer index. A claim of another size than the manifest's
 * is left out, as the BlobLocator leaves it out: that node does not hold this blob.
 */
export class ImageLayers {
  constructor(
    private readonly resolver: Pick<ImageResolver, 'resolve'>,
    private readonly index: Pick<LayerIndex, 'lookup'>,
  ) {}

  async layers(req: ImageLayersRequest): Promise<ImageLayersResponse> {
    const { blobs, ...image } = await this.resolver.resolve(req);
    // ioredis pipelines concurrent commands on its one connection; a few hundred lookups are cheap.
    const claims = await Promise.all(blobs.map((b) => this.index.lookup(b.digest)));
    const layers = blobs.map((b, i) => {
      const holders = claims[i]!.filter((h) => h.size === b.size);
      return { ...b, holders: holders.slice(0, IMAGE_MAX_HOLDERS).map(holderDto), holderCount: holders.length };
    });
    return { ...image, layers };
  }
}
