import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Got } from 'got';
import type { BlobHandler } from './blob-handler.js';
import type { UpstreamChallenges } from './challenges.js';
import { API_VERSION_HEADER, sendError, toOciError } from './http-util.js';
import type { ManifestHandler } from './manifest-handler.js';
import { OciError } from './oci-error.js';
import { reverseProxy } from './reverse-proxy.js';
import { parseRoute } from './route.js';
import type { TokenEndpoint } from './token-endpoint.js';
import type { UpstreamResolver } from './upstream-resolver.js';

export interface RegistryHandlerDeps {
  resolver: UpstreamResolver;
  manifests: ManifestHandler;
  blobs: BlobHandler;
  tokens: TokenEndpoint;
  challenges: UpstreamChallenges;
  http: Got;
  /** Base URL clients use to reach this mirror (for rewritten token realms). */
  mirrorBase: (req: IncomingMessage) => string;
  onError?: (err: unknown, req: IncomingMessage) => void;
}

/**
 * The Registry V2 surface of the edge-proxy as one plain `(req, res)` handler: the mirror is on
 * the hot path of every pull, so it is written against node:http directly, without a framework
 * between the socket and the blob stream. Errors become OCI error JSON; nothing thrown escapes.
 */
export function createRegistryHandler(deps: RegistryHandlerDeps): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    try {
      // The raw path, not URL's normalised one: `/v2/../x` must be refused, not quietly become `/x`.
      const raw = req.url ?? '/';
      const rawPath = raw.split('?')[0]!;
      if (/(^|\/)\.\.?(\/|$)/.test(rawPath) || rawPath.includes('//')) throw new OciError('NAME_INVALID', 'path segments . and .. and empty segments are not allowed');
      const url = new URL(raw, 'http://mirror');
      if (rawPath.startsWith('/auth/token/')) {
        await deps.tokens.handle(req, res, decodeURIComponent(rawPath.slice('/auth/token/'.length)));
        return;
      }
      const route = parseRoute(rawPath);
      if (route.kind === 'version') {
        res.writeHead(200, { ...API_VERSION_HEADER, 'content-type': 'application/json', 'content-length': 2 }).end(req.method === 'HEAD' ? undefined : '{}');
        return;
      }
      const registry = deps.resolver.resolve({ ns: url.searchParams.getAll('ns'), host: req.headers.host });
      if (route.kind === 'other' || route.kind === 'token') {
        if (!rawPath.startsWith('/v2/')) throw new OciError('NAME_UNKNOWN', 'not a registry path', 404);
        await reverseProxy(deps.http, req, res, registry);
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new OciError('UNSUPPORTED', 'this mirror is read-only', 405);
      if (route.kind === 'manifest') {
        try {
          await deps.manifests.handle(req, res, registry, route.repository, route.reference);
        } catch (e) {
          const err = toOciError(e, 'MANIFEST_UNKNOWN');
          if (err.code !== 'UNAUTHORIZED') throw err;
          sendError(res, err, { 'www-authenticate': await deps.challenges.challengeFor(registry, route.repository, deps.mirrorBase(req)) });
        }
        return;
      }
      await deps.blobs.handle(req, res, registry, route.repository, route.digest, deps.mirrorBase(req));
    } catch (e) {
      deps.onError?.(e, req);
      sendError(res, toOciError(e, 'BLOB_UNKNOWN'));
    }
  };
}
