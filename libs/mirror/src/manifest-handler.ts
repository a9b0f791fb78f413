import type { IncomingMessage, ServerResponse } from 'node:http';
import { credentialFromAuthorization, type UpstreamClient } from '@accelerboat/registry-client';
import { MANIFEST_ACCEPT, mediaRangeProblem, type GetManifestResponse, type HeadManifestResponse } from '@accelerboat/registry-protocol';
import type { ControlPlane } from './control-plane.js';
import { API_VERSION_HEADER, clientAuthorization } from './http-util.js';
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
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse, registry: RegistryMapping, repository: string, reference: string): Promise<void> {
    const authorization = clientAuthorization(req);
    const accept = parseAccept(req.headers.accept);
    const ask = { registry: registry.originalHost, repository, reference, accept, ...(authorization ? { authorization } : {}) };
    if (req.method === 'HEAD') {
      const head = await this.orDirect(
        () => this.control.headManifest(ask),
        async (): Promise<HeadManifestResponse> => {
          const m = await this.upstream.getManifest(registry.originalHost, repository, reference, { accept, credential: credentialFromAuthorization(authorization) });
          return { digest: m.digest, mediaType: m.mediaType ?? 'application/octet-stream', size: m.size };
        },
      );
      res.writeHead(200, headers(head)).end();
      return;
    }
    const m = await this.orDirect(
      () => this.control.getManifest(ask),
      async (): Promise<GetManifestResponse> => {
        const got = await this.upstream.getManifest(registry.originalHost, repository, reference, { accept, credential: credentialFromAuthorization(authorization) });
        return { digest: got.digest, mediaType: got.mediaType ?? 'application/octet-stream', size: got.size, body: got.bytes.toString('base64') };
      },
    );
    const body = Buffer.from(m.body, 'base64');
    res.writeHead(200, headers(m)).end(body);
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
