import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Got } from 'got';
import { MANIFEST_MAX_BYTES, mediaRangeProblem, normalizeRegistryHost, ProtocolError } from '@accelerboat/registry-protocol';
import { Authenticator, type AuthTarget } from './authenticator.js';
import { ANONYMOUS, fingerprint, type Credential } from './credential.js';
import { checkRepository, type RegistryPath } from './paths.js';
import { registryBaseUrl } from './realm.js';
import type { Clock, TokenCache } from './token-cache.js';
import type { TokenForm } from './token-fetch.js';
import { readBounded, readErrorBody, send, type UpstreamResponse } from './transport.js';

/** Operator settings of one upstream registry. */
export interface RegistrySettings {
  /** 'https' (default), or 'http' for test and insecure LAN registries. */
  scheme?: 'http' | 'https';
  /** Credentials tried in turn, when the caller has none, until one is accepted. */
  credentials?: readonly Credential[];
  /** Token request form to try first: 'get' (default) or 'post' (the OAuth2 password grant). */
  tokenForm?: TokenForm;
  /** Pin: the only realm hosts (`host[:port]`) that may receive credentials (see realm.ts). */
  realmHosts?: readonly string[];
}

/** What an {@link UpstreamClient} is built from. */
export interface UpstreamClientOptions {
  /** From `createHttpClient`: no retries, throwHttpErrors false, egress proxy, TLS verified. */
  http: Got;
  tokens: TokenCache;
  clock?: Clock;
  /** Settings by registry host (normalised on construction; `docker.io` means Docker Hub). */
  registries?: Record<string, RegistrySettings>;
}

/** An inclusive byte range, as in `Range: bytes=start-end` (end open when omitted). */
export interface ByteRange {
  start: number;
  end?: number;
}

/** One upstream request. Paths come from `manifestPath`/`blobPath`, never from raw input. */
export interface UpstreamRequest {
  registry: string;
  repository: string;
  method: 'GET' | 'HEAD';
  path: RegistryPath;
  /** Accept items (media types or ranges), each validated. */
  accept?: readonly string[];
  range?: ByteRange;
  /** The caller's credential. Absent: anonymous first, then the registry's configured ones. */
  credential?: Credential;
  /** Return the body as a stream (blobs) instead of buffering it (manifests). */
  stream?: boolean;
}

/** A response with a buffered body (at most MANIFEST_MAX_BYTES for success, 64 KiB for errors). */
export interface BufferedResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A response with a streamed body. The caller must consume or destroy `stream`. */
export interface StreamedResponse {
  status: number;
  headers: IncomingHttpHeaders;
  stream: Readable;
}

const MAX_PREFERENCES = 10_000;

/**
 * The authenticating half of the upstream client: sends one request and answers the registry's
 * challenges (see `Authenticator`), trying configured credentials when the caller has none.
 */
export class UpstreamRequester {
  protected readonly http: Got;
  protected readonly clock: Clock;
  private readonly auth: Authenticator;
  private readonly registries = new Map<string, RegistrySettings>();
  // (registry, repository) → fingerprint of the configured credential that worked last, so a
  // private repository does not pay an anonymous 401 round trip on every request.
  private readonly preferred = new Map<string, string>();

  constructor(options: UpstreamClientOptions) {
    this.http = options.http;
    this.clock = options.clock ?? Date.now;
    this.auth = new Authenticator(options.http, options.tokens, this.clock);
    for (const [host, settings] of Object.entries(options.registries ?? {})) this.registries.set(normalizeRegistryHost(host), settings);
  }

  /** Sends a GET or HEAD, answering auth challenges; see {@link UpstreamRequest}. */
  request(req: UpstreamRequest & { stream: true }): Promise<StreamedResponse>;
  request(req: UpstreamRequest & { stream?: false }): Promise<BufferedResponse>;
  async request(req: UpstreamRequest): Promise<BufferedResponse | StreamedResponse> {
    const res = await this.exchange(req);
    if (req.stream) return { status: res.status, headers: res.headers, stream: res.body };
    const ok = res.status >= 200 && res.status < 300;
    // A HEAD has no body; its Content-Length describes the resource (a blob may be gigabytes).
    if (req.method === 'HEAD') {
      res.body.destroy();
      return { status: res.status, headers: res.headers, body: Buffer.alloc(0) };
    }
    const body = ok ? await readBounded(res, MANIFEST_MAX_BYTES, 'manifest') : await readErrorBody(res);
    return { status: res.status, headers: res.headers, body };
  }

  /** The credentials to try, in order, and the target settings for a request. */
  /**
   * A bearer token for `scopes` from the registry's own realm, cached until its expiry; for
   * clients that the mirror sent to its own token endpoint. Throws INVALID_ARGUMENT when the
   * registry does not use token auth, UNAUTHORIZED when the realm refuses the credential.
   */
  async token(registry: string, scopes: string[], credential: Credential): Promise<{ token: string; expiresIn: number }> {
    const host = normalizeRegistryHost(registry);
    const settings = this.registries.get(host) ?? {};
    const target: AuthTarget = { host, scheme: settings.scheme ?? 'https', tokenForm: settings.tokenForm, realmHosts: settings.realmHosts };
    const entry = await this.auth.token(target, scopes, credential);
    return { token: entry.token, expiresIn: Math.max(1, Math.floor((entry.expiresAt - this.clock()) / 1000)) };
  }

  private async exchange(req: UpstreamRequest): Promise<UpstreamResponse> {
    const registry = normalizeRegistryHost(req.registry);
    const repository = checkRepository(req.repository);
    if (!req.path.startsWith(`/v2/${repository}/`)) throw new ProtocolError('INVALID_ARGUMENT', 'path does not belong to the repository');
    const settings = this.registries.get(registry) ?? {};
    const target: AuthTarget = { host: registry, scheme: settings.scheme ?? 'https', tokenForm: settings.tokenForm, realmHosts: settings.realmHosts };
    const prefKey = `${registry}/${repository}`;
    const candidates = req.credential ? [req.credential] : this.ordered([ANONYMOUS, ...(settings.credentials ?? [])], this.preferred.get(prefKey));
    const headers = requestHeaders(req);
    for (const [i, credential] of candidates.entries()) {
      const res = await this.attempt(target, repository, req, headers, credential);
      const denied = res.status === 401 || res.status === 403;
      if (!denied && !req.credential) this.prefer(prefKey, credential);
      if (!denied || i === candidates.length - 1) return res;
      res.body.destroy();
    }
    throw new Error('unreachable: there is always at least one candidate');
  }

  /** One credential: first try, then at most one retry answering the 401's challenge. */
  private async attempt(target: AuthTarget, repository: string, req: UpstreamRequest, headers: Record<string, string>, credential: Credential): Promise<UpstreamResponse> {
    const first = await this.auth.initial(target, repository, credential);
    const res = await this.send(target, req, headers, first.header);
    if (res.status !== 401) return res;
    const retry = await this.auth.answer(target, repository, credential, res.headers['www-authenticate'], first);
    if (!retry?.header) return res;
    res.body.destroy();
    return this.send(target, req, headers, retry.header);
  }

  private send(target: AuthTarget, req: UpstreamRequest, headers: Record<string, string>, authorization: string | undefined): Promise<UpstreamResponse> {
    const url = new URL(req.path, registryBaseUrl(target));
    const all = authorization ? { ...headers, authorization } : headers;
    // Blob GETs are redirected to object storage; `send` drops Authorization on another origin.
    return send(this.http, url, { method: req.method, headers: all, followRedirects: true });
  }

  private ordered(candidates: Credential[], preferred: string | undefined): Credential[] {
    const i = preferred === undefined ? -1 : candidates.findIndex((c) => fingerprint(c) === preferred);
    return i <= 0 ? candidates : [candidates[i]!, ...candidates.slice(0, i), ...candidates.slice(i + 1)];
  }

  private prefer(key: string, credential: Credential): void {
    if (credential.kind === 'anonymous') {
      this.preferred.delete(key);
      return;
    }
    this.preferred.delete(key);
    this.preferred.set(key, fingerprint(credential));
    if (this.preferred.size > MAX_PREFERENCES) this.preferred.delete(this.preferred.keys().next().value!);
  }
}

function requestHeaders(req: UpstreamRequest): Record<string, string> {
  const headers: Record<string, string> = { 'accept-encoding': 'identity' };
  if (req.accept?.length) {
    const bad = req.accept.find((a) => mediaRangeProblem(a));
    if (bad !== undefined) throw new ProtocolError('INVALID_ARGUMENT', `accept item ${mediaRangeProblem(bad)}`);
    headers.accept = req.accept.join(', ');
  }
  if (req.range) headers.range = rangeHeader(req.range);
  return headers;
}

/** `bytes=start-end` from a validated range; throws INVALID_ARGUMENT otherwise. */
export function rangeHeader(range: ByteRange): string {
  const { start, end } = range;
  const valid = Number.isSafeInteger(start) && start >= 0 && (end === undefined || (Number.isSafeInteger(end) && end >= start));
  if (!valid) throw new ProtocolError('INVALID_ARGUMENT', 'range must be integers with 0 <= start <= end');
  return `bytes=${start}-${end ?? ''}`;
}
