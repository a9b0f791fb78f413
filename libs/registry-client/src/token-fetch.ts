import type { Got } from 'got';
import { TOKEN_MAX_LENGTH, headerValueProblem } from '@accelerboat/registry-protocol';
import { authorizationHeader, type AnonymousCredential, type BasicCredential } from './credential.js';
import { readBounded, readErrorBody, send, type UpstreamResponse } from './transport.js';
import { mapUpstreamError, UpstreamError } from './upstream-errors.js';

/*
 * Fetching a bearer token from a realm (distribution token auth,
 * https://distribution.github.io/distribution/spec/auth/token/ and .../spec/auth/oauth/). Two
 * forms exist: GET with Basic (docker, skopeo) and the OAuth2 password grant POST (containerd).
 * Realms that implement only one of them answer the other with 404, 405 or 400, so the second form
 * is tried on exactly those statuses, as containerd does.
 */

/** Which request form to try first. */
export type TokenForm = 'get' | 'post';

/** The `client_id` sent with the OAuth2 form. */
export const OAUTH_CLIENT_ID = 'accelerboat';

/** Largest token reply read (tokens are at most 16 KiB; the JSON around them is small). */
export const TOKEN_REPLY_MAX_BYTES = 256 * 1024;

/** One token request. The realm must already have passed `checkRealm`/`mayReceiveCredentials`. */
export interface TokenRequest {
  realm: URL;
  service?: string;
  scopes: readonly string[];
  credential: AnonymousCredential | BasicCredential;
  /** Form to try first (default GET); the anonymous credential always uses GET. */
  form?: TokenForm;
}

/** A token reply. SECRET: never log `token`. */
export interface TokenReply {
  token: string;
  /** `expires_in`, seconds, when the realm sent a usable one. */
  expiresIn?: number;
}

const FALLBACK_STATUSES = new Set([400, 404, 405]);

/**
 * Asks the realm for a token. Throws UpstreamError: UNAUTHORIZED/FORBIDDEN when the realm refuses
 * the credential, UPSTREAM_ERROR for a malformed reply, TIMEOUT/UNAVAILABLE when unreachable.
 */
export async function fetchToken(http: Got, req: TokenRequest): Promise<TokenReply> {
  const first = req.credential.kind === 'anonymous' ? 'get' : (req.form ?? 'get');
  let res = await (first === 'get' ? getForm(http, req) : postForm(http, req));
  if (req.credential.kind === 'basic' && FALLBACK_STATUSES.has(res.status)) {
    res.body.destroy();
    res = await (first === 'get' ? postForm(http, req) : getForm(http, req));
  }
  if (res.status !== 200) throw mapUpstreamError(res.status, await readErrorBody(res), 'token realm');
  return parseTokenReply(await readBounded(res, TOKEN_REPLY_MAX_BYTES, 'token realm'));
}

function getForm(http: Got, req: TokenRequest): Promise<UpstreamResponse> {
  const url = new URL(req.realm);
  if (req.service) url.searchParams.set('service', req.service);
  for (const scope of req.scopes) url.searchParams.append('scope', scope);
  const headers: Record<string, string> = { accept: 'application/json' };
  const auth = authorizationHeader(req.credential);
  if (auth) headers.authorization = auth;
  return send(http, url, { method: 'GET', headers, what: 'token realm' });
}

function postForm(http: Got, req: TokenRequest): Promise<UpstreamResponse> {
  if (req.credential.kind !== 'basic') throw new Error('the OAuth2 password grant needs a basic credential');
  const form = new URLSearchParams({ grant_type: 'password', username: req.credential.username, password: req.credential.password });
  if (req.service) form.set('service', req.service);
  if (req.scopes.length) form.set('scope', req.scopes.join(' '));
  form.set('client_id', OAUTH_CLIENT_ID);
  const headers = { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' };
  return send(http, new URL(req.realm), { method: 'POST', headers, body: form.toString(), what: 'token realm' });
}

/** Reads `token` (docker) or `access_token` (OAuth2) and `expires_in` from a reply body. */
export function parseTokenReply(body: Buffer): TokenReply {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new UpstreamError('UPSTREAM_ERROR', 'token realm replied with something that is not JSON', 200);
  }
  const reply = (parsed ?? {}) as { token?: unknown; access_token?: unknown; expires_in?: unknown };
  const token = typeof reply.token === 'string' && reply.token ? reply.token : reply.access_token;
  if (typeof token !== 'string' || headerValueProblem(token, TOKEN_MAX_LENGTH)) {
    throw new UpstreamError('UPSTREAM_ERROR', 'token realm replied without a usable token', 200);
  }
  const expiresIn = typeof reply.expires_in === 'number' && reply.expires_in > 0 ? reply.expires_in : undefined;
  return { token, ...(expiresIn !== undefined ? { expiresIn } : {}) };
}
