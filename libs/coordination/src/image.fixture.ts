import { createHash } from 'node:crypto';
import { DOCKER_MANIFEST_LIST, OCI_CONFIG, OCI_INDEX, OCI_LAYER_TAR_GZIP, OCI_MANIFEST, ProtocolError, type GetManifestResponse, type ManifestQuery } from '@accelerboat/registry-protocol';

/** A digest of the given text. */
export const sha = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex')}`;

/** A descriptor of a blob named `name` of `size` bytes. */
export const desc = (name: string, size: number, mediaType = OCI_LAYER_TAR_GZIP): { digest: string; size: number; mediaType: string } => ({ digest: sha(name), size, mediaType });

/** An OCI image manifest document with a config of 100 bytes and the given layers. */
export function manifestDoc(layers: { digest: string; size: number; mediaType: string }[], configName = 'config'): object {
  return { schemaVersion: 2, mediaType: OCI_MANIFEST, config: desc(configName, 100, OCI_CONFIG), layers };
}

/** An index document listing manifests by platform. */
export function indexDoc(entries: { doc: object; platform: Record<string, string> }[], mediaType = OCI_INDEX): object {
  return {
    schemaVersion: 2,
    mediaType,
    manifests: entries.map((e) => ({ mediaType: OCI_MANIFEST, digest: sha(JSON.stringify(e.doc)), size: JSON.stringify(e.doc).length, platform: e.platform })),
  };
}

/**
 * The ManifestService as the resolver sees it: documents by tag and by digest, served as
 * GetManifestResponses; what was asked is recorded, credentials included.
 */
export class FakeManifests {
  readonly asked: ManifestQuery[] = [];
  private readonly docs = new Map<string, object>();

  /** Serves `doc` under `tag` (if any) and under its own digest; returns the digest. */
  add(doc: object, tag?: string): string {
    const digest = sha(JSON.stringify(doc));
    this.docs.set(digest, doc);
    if (tag) this.docs.set(tag, doc);
    return digest;
  }

  async get(q: ManifestQuery): Promise<GetManifestResponse> {
    this.asked.push(q);
    const doc = this.docs.get(q.reference);
    if (!doc) throw new ProtocolError('NOT_FOUND', `manifest ${q.reference} not found`);
    const text = JSON.stringify(doc);
    const mediaType = (doc as { mediaType?: string }).mediaType ?? DOCKER_MANIFEST_LIST;
    return { digest: sha(text), mediaType, size: text.length, body: Buffer.from(text).toString('base64') };
  }
}
