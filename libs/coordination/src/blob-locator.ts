import type { LayerHolder, LayerIndex } from '@accelerboat/layer-index';
import type { BlobSource, LocateBlobRequest, LocateBlobResponse, SourceKind } from '@accelerboat/registry-protocol';

const KIND: Record<LayerHolder['source'], SourceKind> = { 'edge-cache': 'peer', seeder: 'seeder', containerd: 'containerd' };

/**
 * Answers "where is this blob": every live holder with a peer endpoint, except the asker itself,
 * freshest claim first. An empty list tells the edge-proxy to go to the upstream; seeder jobs for
 * cold blobs arrive with the mirror path.
 */
export class BlobLocator {
  constructor(private readonly index: LayerIndex) {}

  async locate(req: LocateBlobRequest): Promise<LocateBlobResponse> {
    const holders = await this.index.lookup(req.digest);
    const sources: BlobSource[] = holders
      .filter((h) => h.url && h.nodeId !== req.nodeId && (req.size === undefined || h.size === req.size))
      .slice(0, 16)
      .map((h) => ({ kind: KIND[h.source], nodeId: h.nodeId, url: h.url! }));
    const size = req.size ?? holders[0]?.size;
    return { digest: req.digest, ...(size !== undefined ? { size } : {}), sources };
  }
}
