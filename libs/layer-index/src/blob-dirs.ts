import type { LayerSource } from './layer-index.js';

/** Sources a blob directory can be: containerd is read through its API, never as a directory. */
export const BLOB_DIR_SOURCES = ['edge-cache', 'seeder'] as const satisfies readonly LayerSource[];

/** One entry of BLOB_DIRS. */
export interface BlobDirSpec {
  /** Which store the directory is, and so the source its blobs are announced with. */
  source: (typeof BLOB_DIR_SOURCES)[number];
  /** Root of the store; blobs are `<path>/blobs/sha256/<hex>`. */
  path: string;
  /** Peer endpoint serving this store's blobs; absent means the node's PEER_URL. */
  url?: string;
}

// `[source:]path[@url]`: the source prefix is optional (plain paths were edge-cache stores before
// sources existed), the url suffix only counts when it is an http(s) URL.
const ENTRY = /^(?:(edge-cache|seeder):)?(\/.*?)(?:@(https?:\/\/[^\s@/]+(?:\/[^\s@]*)?))?$/;

/**
 * Parses BLOB_DIRS: comma-separated `[source:]path[@url]`, e.g.
 * `edge-cache:/var/lib/accelerboat/cache,seeder:/var/lib/accelerboat/seeder@http://10.0.0.5:5083`.
 * A plain path is an edge-cache store. Throws with the reason when an entry is malformed or two
 * entries of one source name different URLs (the index keeps one URL per node and source).
 */
export function parseBlobDirs(value: string): BlobDirSpec[] {
  const specs: BlobDirSpec[] = [];
  const entries = value.split(',').map((e) => e.trim()).filter(Boolean);
  for (const [i, raw] of entries.entries()) {
    const m = ENTRY.exec(raw);
    // The entry is named by position: config errors never echo values.
    if (!m) throw new Error(`entry ${i + 1} must be [edge-cache:|seeder:]<absolute path>[@http(s)://host:port]`);
    const [, source = 'edge-cache', path, url] = m;
    specs.push({ source: source as BlobDirSpec['source'], path: path!.replace(/\/+$/, '') || '/', ...(url ? { url: url.replace(/\/+$/, '') } : {}) });
  }
  for (const s of BLOB_DIR_SOURCES) {
    const urls = new Set(specs.filter((d) => d.source === s && d.url).map((d) => d.url));
    if (urls.size > 1) throw new Error(`entries of source ${s} name different URLs; one node has one URL per source`);
  }
  return specs;
}

/** Why a BLOB_DIRS value is invalid, or undefined when it parses. */
export function blobDirsProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  try {
    parseBlobDirs(value);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
