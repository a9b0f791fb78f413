import type { IncomingMessage, ServerResponse } from 'node:http';
import { isTokenScope, ProtocolError, type GetTokenResponse } from '@accelerboat/registry-protocol';
import type { ControlPlane } from './control-plane.js';
import { clientAuthorization, readSmallBody, sendError, toOciError } from './http-util.js';
import { OciError } from './oci-error.js';
import type { UpstreamResolver } from './upstream-resolver.js';

/** Fetches a token directly from the upstream, used when the coordinator cannot be asked. */
export type DirectTokenFetch = (registry: string, scopes: string[], authorization: string | undefined) => Promise<GetTokenResponse>;

const MAX_SCOPES = 16;

/**
 * The token endpoint clients are sent to by the rewritten Bearer realm
 * (`/auth/token/<registry>`). It accepts the GET form (Basic header, `service` and repeated
 * `scope` parameters, what skopeo and podman send) and the OAuth2 password-grant POST form
 * (what containerd sends), converges the request at the coordinator, and answers in the Docker
 * token format with both `token` and `access_token`.
 */
export class TokenEndpoint {
  constructor(
    private readonly resolver: UpstreamResolver,
    private readonly control: ControlPlane,
    private readonly direct: DirectTokenFetch,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse, registryName: string): Promise<void> {
    try {
      const registry = this.resolver.resolve({ ns: registryName });
      const { scopes, service, authorization } = await this.parse(req);
      const ask = { registry: registry.originalHost, scopes, ...(service ? { service } : {}), ...(authorization ? { authorization } : {}) };
      let reply: GetTokenResponse;
      try {
        reply = await this.control.token(ask);
      } catch (e) {
        if (!isUnavailable(e)) throw e;
        reply = await this.direct(registry.originalHost, scopes, authorization);
      }
      const body = JSON.stringify({
        token: reply.token,
        access_token: reply.token,
        expires_in: reply.expiresIn,
        issued_at: reply.issuedAt ?? new Date().toISOString(),
      });
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) }).end(body);
    } catch (e) {
      const err = toOciError(e, 'NAME_UNKNOWN');
      sendError(res, err.code === 'UNAUTHORIZED' ? new OciError('UNAUTHORIZED', 'invalid credentials') : err);
    }
  }

  private async parse(req: IncomingMessage): Promise<{ scopes: string[]; service?: string; authorization?: string }> {
    const url = new URL(req.url ?? '/', 'http://mirror');
    let params = url.searchParams;
    let authorization = clientAuthorization(req);
    if (req.method === 'POST') {
      const form = new URLSearchParams(await readSmallBody(req));
      params = form;
      const grant = form.get('grant_type');
      if (grant === 'password') {
        const user = form.get('username') ?? '';
        authorization = `Basic ${Buffer.from(`${user}:${form.get('password') ?? ''}`).toString('base64')}`;
      } else if (grant === 'refresh_token') {
        // Registries hand out refresh tokens only to clients that asked for offline access; we never do.
        throw new OciError('UNSUPPORTED', 'refresh tokens are not supported by this mirror');
      }
    } else if (req.method !== 'GET') {
      throw new OciError('UNSUPPORTED', 'token requests are GET or POST');
    }
    const scopes = params.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean);
    if (scopes.length > MAX_SCOPES || !scopes.every(isTokenScope)) throw new OciError('NAME_INVALID', 'invalid scope');
    const service = params.get('service') ?? undefined;
    return { scopes, ...(service && service.length <= 255 ? { service } : {}), ...(authorization ? { authorization } : {}) };
  }
}

/** Failures of the control plane itself (not answers from the upstream): time to go direct. */
export function isUnavailable(e: unknown): boolean {
  return e instanceof ProtocolError && (e.code === 'UNAVAILABLE' || e.code === 'TIMEOUT' || e.code === 'NOT_IMPLEMENTED' || e.code === 'INTERNAL') && !('upstreamStatus' in e && (e as { upstreamStatus?: number }).upstreamStatus);
}
