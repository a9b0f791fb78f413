import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { FsBlobStore } from '@accelerboat/blob-store';
import { HOP_HEADER, holdLastByte } from '@accelerboat/peer-http';
import type { UpstreamClient } from '@accelerboat/registry-client';
import type { AccessChecker } from './access-checker.js';
import type { BlobFetcher } from './blob-fetcher.js';
import type { UpstreamChallenges } from './challenges.js';
import { API_VERSION_HEADER, clientAuthorization, sendError, fetchCredential } from './http-util.js';
import { OciError } from './oci-error.js';
import { parseRange, type ByteRange } from './range.js';
import type { RegistryMapping } from './registry-mapping.js';
import type { Semaphore } from './semaphore.js';

export interface BlobHandlerDeps {
  store: FsBlobStore;
  access: AccessChecker;
  fetcher: BlobFetcher;
  upstream: UpstreamClient;
  challenges: UpstreamChallenges;
  upstreamLimit: Semaphore;
  /** Counts how each request was served: hit, miss, fallback. */
  observe?: (outcome: 'hit' | 'miss' | 'fallback' | 'denied', bytes: number) => void;
}

/**
 * Blob HEAD/GET: after the client's access is confirmed, a verified local copy is served;
 * otherwise the blob is fetched through the cluster into the cache and streamed to the client as
 * it lands. If anything in that path fails before the response starts, the request is proxied to
 * the upstream; after it started, the connection is aborted (a wrong or short body is never
 * ended cleanly), and the client's retry takes the path again.
 */
export class BlobHandler {
  constructor(private readonly deps: BlobHandlerDeps) {}

  async handle(req: IncomingMessage, res: ServerResponse, registry: RegistryMapping, repository: string, digest: string, mirrorBase: string): Promise<void> {
    const authorization = clientAuthorization(req);
    const { store } = this.deps;
    if (!(await this.deps.access.allowed(registry, repository, digest, authorization))) {
      this.deps.observe?.('denied', 0);
      const challenge = await this.deps.challenges.challengeFor(registry, repository, mirrorBase);
      const err = authorization ? new OciError('DENIED', 'access to the requested resource is denied') : new OciError('UNAUTHORIZED', 'authentication required');
      sendError(res, err, { 'www-authenticate': challenge });
      return;
    }
    const stat = store.stat(digest);
    if (stat) {
      const range = parseRange(header(req.headers.range), stat.size);
      this.writeHead(res, digest, stat.size, range);
      if (req.method === 'HEAD') return void res.end();
      const read = await store.read(digest, range ?? {});
      const sent = await pump([read.stream], res);
      this.deps.observe?.('hit', sent);
      return;
    }
    let size: number | undefined;
    try {
      ({ size } = await this.deps.fetcher.ensure({ registry, repository, digest, authorization, upstreamOnly: req.headers[HOP_HEADER] !== undefined }));
    } catch {
      await this.proxyUpstream(req, res, registry, repository, digest, authorization);
      return;
    }
    const range = size === undefined ? undefined : parseRange(header(req.headers.range), size);
    this.writeHead(res, digest, size, range);
    if (req.method === 'HEAD') return void res.end();
    const follow = store.follow(digest, range ?? {});
    // The whole body is verified only once it has all landed: hold its last byte until then.
    const sent = await pump(range ? [follow.stream] : [follow.stream, holdLastByte(size)], res);
    this.deps.observe?.('miss', sent);
  }

  private writeHead(res: ServerResponse, digest: string, size: number | undefined, range: ByteRange | undefined): void {
    const headers: Record<string, string | number> = {
      ...API_VERSION_HEADER,
      'content-type': 'application/octet-stream',
      'docker-content-digest': digest,
      'accept-ranges': 'bytes',
      etag: `"${digest}"`,
    };
    if (range && size !== undefined) {
      headers['content-range'] = `bytes ${range.start}-${range.end}/${size}`;
      headers['content-length'] = range.end - range.start + 1;
      res.writeHead(206, headers);
      return;
    }
    if (size !== undefined) headers['content-length'] = size;
    res.writeHead(200, headers);
  }

  // The accelerated path could not even start: behave exactly like a plain proxy would.
  private async proxyUpstream(req: IncomingMessage, res: ServerResponse, registry: RegistryMapping, repository: string, digest: string, authorization?: string): Promise<void> {
    this.deps.observe?.('fallback', 0);
    await this.deps.upstreamLimit.run(async () => {
      const credential = fetchCredential(authorization);
      if (req.method === 'HEAD') {
        const head = await this.deps.upstream.headBlob(registry.originalHost, repository, digest, credential);
        this.writeHead(res, digest, head.size, undefined);
        res.end();
        return;
      }
      const rangeHeader = header(req.headers.range);
      const blob = await this.deps.upstream.getBlob(registry.originalHost, repository, digest, { credential });
      const range = blob.totalSize !== undefined ? parseRange(rangeHeader, blob.totalSize) : undefined;
      if (range) {
        // A ranged fallback is rare (resumed pulls); serve the slice from the verified stream.
        blob.stream.destroy();
        const part = await this.deps.upstream.getBlob(registry.originalHost, repository, digest, { credential, range });
        this.writeHead(res, digest, blob.totalSize, range);
        await pump([part.stream], res);
        return;
      }
      this.writeHead(res, digest, blob.totalSize, undefined);
      await pump([blob.stream], res);
    });
  }
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Streams a body through optional transforms to the client. pipeline (not .pipe) so that an
 * error anywhere, such as a failed digest check, destroys every stage and the connection instead
 * of surfacing as an unhandled 'error' event.
 */
async function pump(stages: [NodeJS.ReadableStream, ...NodeJS.ReadWriteStream[]], res: ServerResponse): Promise<number> {
  let sent = 0;
  // Counted on the last stage rather than in an extra Transform: a transform's small buffer
  // would stop the file read-ahead and halve cache-hit throughput.
  (stages[stages.length - 1] as NodeJS.ReadableStream).on('data', (c: Buffer) => (sent += c.length));
  try {
    await pipeline([...stages, res]);
  } catch {
    res.destroy();
  }
  return sent;
}
