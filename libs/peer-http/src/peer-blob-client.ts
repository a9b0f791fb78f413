import type { Readable } from 'node:stream';
import type { Got } from '@accelerboat/http-client';
import { CLUSTER_SECRET_HEADER } from './cluster-secret.js';

/** Marks requests between AccelerBoat nodes, so a node never turns a peer's request into another hop. */
export const HOP_HEADER = 'x-accelerboat-hop';

export interface PeerBlobResponse {
  status: number;
  /** Size of the whole blob when the peer knows it. */
  size?: number;
  /** Whether the peer had verified the blob (`committed`) or is still downloading it. */
  state?: 'committed' | 'in-progress';
  stream: Readable;
}

/** Fetches blobs from other nodes' peer endpoints (`<base>/blobs/<digest>`) with the cluster secret. */
export class PeerBlobClient {
  constructor(
    private readonly http: Got,
    private readonly clusterSecret: string,
  ) {}

  /**
   * Opens a blob (or an inclusive byte range of it) on a peer. Resolves once response headers
   * arrive; a non-2xx answer rejects with PeerFetchError and the body is discarded.
   */
  open(baseUrl: string, digest: string, range?: { start: number; end?: number }, signal?: AbortSignal): Promise<PeerBlobResponse> {
    const headers: Record<string, string> = { [CLUSTER_SECRET_HEADER]: this.clusterSecret, [HOP_HEADER]: '1' };
    if (range) headers.range = `bytes=${range.start}-${range.end ?? ''}`;
    const stream = this.http.stream(`${baseUrl.replace(/\/$/, '')}/blobs/${digest}`, { headers, signal, followRedirect: false });
    return new Promise((resolve, reject) => {
      stream.once('error', reject);
      stream.once('response', (res: { statusCode: number; headers: Record<string, string | undefined> }) => {
        if (res.statusCode !== 200 && res.statusCode !== 206) {
          stream.destroy();
          reject(new PeerFetchError(res.statusCode, baseUrl));
          return;
        }
        stream.off('error', reject);
        const total = res.headers['content-range']?.split('/')[1];
        const size = total && total !== '*' ? Number(total) : res.statusCode === 200 && res.headers['content-length'] ? Number(res.headers['content-length']) : undefined;
        const state = res.headers['x-accelerboat-blob-state'] === 'in-progress' ? 'in-progress' : 'committed';
        resolve({ status: res.statusCode, size, state, stream });
      });
    });
  }
}

/** A peer answered, but not with the blob. */
export class PeerFetchError extends Error {
  override name = 'PeerFetchError';
  constructor(
    readonly status: number,
    readonly peer: string,
  ) {
    super(`peer ${peer} answered ${status}`);
  }
}
