import {
  DEFAULT_PLATFORM,
  formatPlatform,
  MANIFEST_ACCEPT,
  normalizeRegistryHost,
  parsePlatform,
  ProtocolError,
  type ImageBlobKind,
  type ImageQuery,
  type ResolvedImage,
} from '@accelerboat/registry-protocol';
import type { ManifestService } from './manifest.service.js';
import { parseManifestDocument, pickPlatform, type Descriptor } from './manifest-document.js';

/** One blob of an image: its descriptor and what it is to the image. */
export interface ImageBlob {
  digest: string;
  size: number;
  mediaType: string;
  kind: ImageBlobKind;
}

/** An image reference resolved to one platform's manifest, with its blobs (config first). */
export interface ImageBlobs extends ResolvedImage {
  blobs: ImageBlob[];
}

// An index may point at another index (rare, but legal); two levels is all real images use.
const MAX_INDEX_DEPTH = 2;

/**
 * Resolves `registry/repository:reference` to the blobs of one image manifest, through the
 * ManifestService, so that the manifests are fetched converged, cached and verified like every
 * edge-proxy's, with the caller's credential (or the cluster's accounts without one).
 */
export class ImageResolver {
  constructor(private readonly manifests: Pick<ManifestService, 'get'>) {}

  async resolve(q: ImageQuery): Promise<ImageBlobs> {
    const registry = normalizeRegistryHost(q.registry);
    const wanted = parsePlatform(q.platform ?? DEFAULT_PLATFORM);
    const fetch = async (reference: string) => {
      const m = await this.manifests.get({
        registry,
        repository: q.repository,
        reference,
        accept: [...MANIFEST_ACCEPT],
        ...(q.authorization ? { authorization: q.authorization } : {}),
      });
      return { digest: m.digest, doc: parseManifestDocument(Buffer.from(m.body, 'base64'), m.mediaType) };
    };
    const top = await fetch(q.reference);
    let current = top;
    let picked: Descriptor | undefined;
    for (let depth = 0; current.doc.kind === 'index'; depth++) {
      if (depth >= MAX_INDEX_DEPTH) throw new ProtocolError('UPSTREAM_ERROR', `${q.repository}:${q.reference} nests indexes more than ${MAX_INDEX_DEPTH} deep`);
      picked = pickPlatform(current.doc.manifests, wanted);
      if (!picked) {
        const offered = current.doc.manifests.flatMap((m) => (m.platform ? [formatPlatform(m.platform)] : []));
        throw new ProtocolError('NOT_FOUND', `${q.repository}:${q.reference} has no ${formatPlatform(wanted)} image (it has ${[...new Set(offered)].join(', ') || 'no platforms'})`);
      }
      current = await fetch(picked.digest);
    }
    const { config, layers } = current.doc;
    return {
      registry,
      repository: q.repository,
      reference: q.reference,
      digest: top.digest,
      manifestDigest: current.digest,
      ...(picked?.platform ? { platform: formatPlatform(picked.platform) } : {}),
      blobs: [blob(config, 'config'), ...layers.map((l) => blob(l, 'layer'))],
    };
  }
}

function blob(d: Descriptor, kind: ImageBlobKind): ImageBlob {
  return { digest: d.digest, size: d.size, mediaType: d.mediaType, kind };
}
