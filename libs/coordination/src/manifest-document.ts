import {
  digestProblem,
  IMAGE_MAX_BLOBS,
  isIndexMediaType,
  isManifestMediaType,
  mediaTypeProblem,
  countProblem,
  platformProblem,
  ProtocolError,
  type Platform,
} from '@accelerboat/registry-protocol';

/** A content descriptor from a manifest or an index, validated. */
export interface Descriptor {
  digest: string;
  size: number;
  mediaType: string;
  /** Set on index entries that name their platform. */
  platform?: Platform;
}

/** A manifest's bytes, read: an index of per-platform manifests, or one image manifest. */
export type ManifestDocument = { kind: 'index'; manifests: Descriptor[] } | { kind: 'manifest'; config: Descriptor; layers: Descriptor[] };

// What a descriptor without a media type is served as; only display and sorting depend on it.
const UNKNOWN_MEDIA_TYPE = 'application/octet-stream';

/**
 * Reads an image manifest or index (OCI, or Docker schema 2 and manifest list). The bytes come
 * from an upstream registry, so every descriptor is checked: a bad digest or size is
 * UPSTREAM_ERROR naming the entry, never something passed on to a seeder.
 */
export function parseManifestDocument(bytes: Buffer, mediaType: string): ManifestDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ProtocolError('UPSTREAM_ERROR', 'the manifest is not valid JSON');
  }
  if (!isRecord(doc)) throw new ProtocolError('UPSTREAM_ERROR', 'the manifest is not a JSON object');
  const declared = typeof doc.mediaType === 'string' ? doc.mediaType : mediaType;
  if (isIndexMediaType(declared) || (!isManifestMediaType(declared) && Array.isArray(doc.manifests))) {
    return { kind: 'index', manifests: list(doc.manifests, 'manifests').map((d, i) => descriptor(d, `manifests.${i}`, true)) };
  }
  if (doc.schemaVersion === 1) throw new ProtocolError('NOT_IMPLEMENTED', 'Docker schema 1 manifests are not supported');
  const layers = list(doc.layers, 'layers');
  if (layers.length + 1 > IMAGE_MAX_BLOBS) throw new ProtocolError('UPSTREAM_ERROR', `the manifest lists more than ${IMAGE_MAX_BLOBS - 1} layers`);
  return { kind: 'manifest', config: descriptor(doc.config, 'config', false), layers: layers.map((d, i) => descriptor(d, `layers.${i}`, false)) };
}

/**
 * The index entry for `wanted`: same os and architecture, and the same variant when one is
 * asked for; otherwise an entry without a variant is preferred (then the first match).
 */
export function pickPlatform(manifests: readonly Descriptor[], wanted: Platform): Descriptor | undefined {
  const matches = manifests.filter((m) => m.platform?.os === wanted.os && m.platform.architecture === wanted.architecture);
  if (wanted.variant !== undefined) return matches.find((m) => m.platform?.variant === wanted.variant);
  return matches.find((m) => m.platform?.variant === undefined) ?? matches[0];
}

function list(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) throw new ProtocolError('UPSTREAM_ERROR', `the manifest has no ${field} list`);
  if (value.length > IMAGE_MAX_BLOBS) throw new ProtocolError('UPSTREAM_ERROR', `the manifest lists more than ${IMAGE_MAX_BLOBS} ${field}`);
  return value;
}

function descriptor(value: unknown, where: string, withPlatform: boolean): Descriptor {
  if (!isRecord(value)) throw new ProtocolError('UPSTREAM_ERROR', `manifest ${where} is not a descriptor`);
  const bad = digestProblem(value.digest);
  if (bad) throw new ProtocolError('UPSTREAM_ERROR', `manifest ${where}.digest ${bad}`);
  const badSize = countProblem(value.size);
  if (badSize) throw new ProtocolError('UPSTREAM_ERROR', `manifest ${where}.size ${badSize}`);
  const mediaType = typeof value.mediaType === 'string' && !mediaTypeProblem(value.mediaType) ? value.mediaType : UNKNOWN_MEDIA_TYPE;
  const platform = withPlatform ? platformOf(value.platform) : undefined;
  return { digest: value.digest as string, size: value.size as number, mediaType, ...(platform ? { platform } : {}) };
}

// Entries whose platform we cannot read (attestations say unknown/unknown) are simply never picked.
function platformOf(value: unknown): Platform | undefined {
  if (!isRecord(value)) return undefined;
  const { os, architecture, variant } = value;
  const text = [os, architecture, ...(variant !== undefined ? [variant] : [])].join('/');
  if (typeof os !== 'string' || typeof architecture !== 'string' || platformProblem(text)) return undefined;
  return { os, architecture, ...(typeof variant === 'string' ? { variant } : {}) };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
