import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UpstreamClient } from '@accelerboat/registry-client';
import { isDigest, MANIFEST_ACCEPT, mediaRangeProblem, OCI_INDEX, OCI_MANIFEST, type GetManifestResponse, type HeadManifestResponse } from '@accelerboat/registry-protocol';
import { buffer } from 'node:stream/consumers';
import type { FsBlobStore } from '@accelerboat/blob-store';
import type { AccessChecker } from './access-checker.js';
import type { ControlPlane } from './control-plane.js';
import { API_VERSION_HEADER, clientAuthorization, fetchCredential } from './http-util.js';
import type { RegistryMapping } from './registry-mapping.js';
import { isUnavailable } from './token-endpoint.js';

const MAX_ACCEPT = 32;

/**
 * Manifests by tag or digest. Identical requests converge at the coordinator (one upstream GET
 * per tag per TTL, keyed by the caller's credential); when the coordinator cannot answer, the
 * mirror asks the upstream itself. The exact bytes and digest are passed through unchanged.
 */
export class ManifestHandler {
  constructor(
    private readonly control: ControlPlane,
    private readonly upstream: UpstreamClient,
    private readonly store?: FsBlobStore,
    private readonly access?: AccessChecker,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse, registry: RegistryMapping, repository: string, reference: string): Promise<void> {
    const authorization = clientAuthorization(req);
    const accept = parseAccept(req.headers.accept);
    if (isDigest(reference) && (await this.serveCached(req, res, registry, repository, reference, authorization))) return;
    const ask = { registry: registry.originalHost, repository, reference, accept, ...(authorization ? { authorization } : {}) };
    if (req.method === 'HEAD') {
      const head = await this.orDirect(
        () => this.control.headManifest(ask),
        async (): Promise<HeadManifestResponse> => {
          const m = await this.upstream.getManifest(registry.originalHost, repository, reference, { accept, credential: fetchCredential(authorization) });
          return { digest: m.digest, mediaType: m.mediaType ?? 'application/octet-stream', size: m.size };
        },
      );
      res.writeHead(200, headers(head)).end();
      return;
    }
    const m = await this.orDirect(
      () => this.control.getManifest(ask),
      async (): Promise<GetManifestResponse> => {
        const got = await this.upstream.getManifest(registry.originalHost, repository, reference, { accept, credential: fetchCredential(authorization) });
        return { digest: got.digest, mediaType: got.mediaType ?? 'application/octet-stream', size: got.size, body: got.bytes.toString('base64') };
      },
    );
    const body = Buffer.from(m.body, 'base64');
    res.writeHead(200, headers(m)).end(body);
    await this.keep(m.digest, body);
  }

  /**
   * Manifests are content-addressed too: a copy kept by digest lets a pull by digest succeed while
   * the upstream is away. It is served only after the client's access to the repository is
   * confirmed (or still within its grace period), like any cached blob.
   */
  private async serveCached(req: IncomingMessage, res: ServerResponse, registry: RegistryMapping, repository: string, digest: string, authorization?: string): Promise<boolean> {
    if (!this.store || !this.access || !this.store.stat(digest)) return false;
    if (!(await this.access.allowedRepository(registry, repository, authorization).catch(() => false))) return false;
    const read = await this.store.read(digest);
    const body = await buffer(read.stream);
    const head = { digest, mediaType: mediaTypeOf(body), size: body.length };
    res.writeHead(200, headers(head)).end(req.method === 'HEAD' ? undefined : body);
    return true;
  }

  private async keep(digest: string, body: Buffer): Promise<void> {
    if (!this.store || this.store.stat(digest) || this.store.inProgress(digest)) return;
    try {
      const w = this.store.write(digest, { expectedSize: body.length });
      await w.append(body);
      await w.commit();
    } catch {
      // Caching is an optimisation; a concurrent writer or a full disk must not fail the pull.
    }
  }

  private async orDirect<T>(converged: () => Promise<T>, direct: () => Promise<T>): Promise<T> {
    try {
      return await converged();
    } catch (e) {
      if (isUnavailable(e)) return direct();
      throw e;
    }
  }
}

function headers(m: HeadManifestResponse): Record<string, string | number> {
  return { ...API_VERSION_HEADER, 'content-type': m.mediaType, 'content-length': m.size, 'docker-content-digest': m.digest, etag: `"${m.digest}"` };
}

/** The client's Accept items, in order; invalid items are dropped, none means the default set. */
export function parseAccept(header: string | string[] | undefined): string[] {
  const raw = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',');
  const items = raw.map((s) => s.split(';')[0]!.trim()).filter((s) => s && !mediaRangeProblem(s));
  return items.length ? [...new Set(items)].slice(0, MAX_ACCEPT) : [...MANIFEST_ACCEPT];
}

/** The media type a stored manifest declares, else the OCI type its shape implies. */
function mediaTypeOf(body: Buffer): string {
  try {
    const doc = JSON.parse(body.toString('utf8')) as { mediaType?: unknown; manifests?: unknown };
    if (typeof doc.mediaType === 'string' && !mediaRangeProblem(doc.mediaType)) return doc.mediaType;
    return Array.isArray(doc.manifests) ? OCI_INDEX : OCI_MANIFEST;
  } catch {
    return OCI_MANIFEST;
  }
}
