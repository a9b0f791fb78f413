import { credentialFromAuthorization, type Credential } from '@accelerboat/registry-client';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ProtocolError } from '@accelerboat/registry-protocol';
import { OciError, type OciErrorCode } from './oci-error.js';

export const API_VERSION_HEADER = { 'docker-distribution-api-version': 'registry/2.0' };

/** Sends an OCI error JSON body, unless the response has already started (then it is aborted). */
export function sendError(res: ServerResponse, err: OciError, extraHeaders: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy(err);
    return;
  }
  const body = err.body();
  res.writeHead(err.status, { ...API_VERSION_HEADER, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...extraHeaders });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

const BY_PROTOCOL: Partial<Record<ProtocolError['code'], OciErrorCode>> = {
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'DENIED',
  RESOURCE_EXHAUSTED: 'TOOMANYREQUESTS',
  INVALID_ARGUMENT: 'NAME_INVALID',
};

/**
 * Maps a domain or protocol failure to what a registry client should see. The upstream's own OCI
 * code (MANIFEST_UNKNOWN, BLOB_UNKNOWN, ...) wins when the error carries one.
 */
export function toOciError(err: unknown, notFound: OciErrorCode): OciError {
  if (err instanceof OciError) return err;
  if (err instanceof ProtocolError) {
    const upstreamCode = (err as { upstreamCode?: string }).upstreamCode;
    if (err.code === 'NOT_FOUND') return new OciError(notFound, err.message);
    const code = (upstreamCode && upstreamCode in OCI_CODES ? upstreamCode : BY_PROTOCOL[err.code]) as OciErrorCode | undefined;
    if (code) return new OciError(code, err.message);
    return new OciError('UNAVAILABLE', 'upstream registry unavailable', err.status >= 500 ? 503 : err.status);
  }
  return new OciError('UNAVAILABLE', 'internal error', 500);
}

const OCI_CODES: Record<string, true> = Object.fromEntries(
  ['BLOB_UNKNOWN', 'MANIFEST_UNKNOWN', 'NAME_UNKNOWN', 'NAME_INVALID', 'DENIED', 'UNAUTHORIZED', 'TOOMANYREQUESTS', 'MANIFEST_INVALID', 'DIGEST_INVALID'].map((c) => [c, true]),
);

/** Reads a small request body (token POST forms); refuses more than `limit` bytes. */
export async function readSmallBody(req: IncomingMessage, limit = 64 * 1024): Promise<string> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of req) {
    n += (chunk as Buffer).length;
    if (n > limit) throw new OciError('SIZE_INVALID', 'request body too large', 413);
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts).toString('utf8');
}

/** The Authorization header the client sent, when it is one plain header of sane size. */
export function clientAuthorization(req: IncomingMessage): string | undefined {
  const a = req.headers.authorization;
  if (typeof a !== 'string' || a.length === 0) return undefined;
  if (a.length > 8192) throw new OciError('UNAUTHORIZED', 'authorization header too large', 431);
  return a;
}

/**
 * The credential to fetch with: the client's own when it sent one; otherwise none, which lets the
 * upstream client try anonymous access and then the registry's configured accounts.
 */
export function fetchCredential(authorization: string | undefined): Credential | undefined {
  return authorization ? credentialFromAuthorization(authorization) : undefined;
}
