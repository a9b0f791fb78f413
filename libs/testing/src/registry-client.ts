import http from 'node:http';
import type { Readable } from 'node:stream';

/** Username and password for a registry (Basic) or its token server. */
export interface Credentials {
  username: string;
  password: string;
}

/** A buffered HTTP response. */
export interface RegistryResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** Request options for {@link RegistryClient.request}. */
export interface RegistryRequest {
  method?: string;
  headers?: Record<string, string>;
  /** A buffer, or a factory so a streamed body can be re-opened when an auth retry is needed. */
  body?: Buffer | (() => Readable);
  /** Token scope to ask for on a Bearer challenge without one, e.g. `repository:a/b:pull,push`. */
  scope?: string;
}

/** Parses a WWW-Authenticate header: `Bearer realm="…",service="…",scope="…"`. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const sp = header.indexOf(' ');
  const scheme = (sp < 0 ? header : header.slice(0, sp)).toLowerCase();
  const params: Record<string, string> = {};
  for (const m of header.slice(sp + 1).matchAll(/([a-zA-Z_]+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    params[m[1]!.toLowerCase()] = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return { scheme, params };
}

/** One plain HTTP request; buffers the response. */
export function httpRequest(url: string, opts: { method?: string; headers?: Record<string, string>; body?: Buffer | Readable } = {}): Promise<RegistryResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (opts.body === undefined) req.end();
    else if (Buffer.isBuffer(opts.body)) req.end(opts.body);
    else {
      opts.body.on('error', (e) => req.destroy(e));
      opts.body.pipe(req);
    }
  });
}

/**
 * A minimal plain-HTTP registry API client that answers auth challenges like docker does:
 * Basic → resend with credentials; Bearer → fetch a token from the realm (GET with Basic
 * credentials when given), cache it per scope, and retry once.
 */
export class RegistryClient {
  private readonly tokens = new Map<string, string>();
  private basic = false;

  constructor(
    /** `host:port` of the registry. */
    readonly host: string,
    private readonly creds?: Credentials,
  ) {}

  /** Sends a request to `path` (e.g. `/v2/a/b/manifests/latest`) or an absolute URL. */
  async request(path: string, opts: RegistryRequest = {}): Promise<RegistryResponse> {
    const url = /^https?:/.test(path) ? path : `http://${this.host}${path}`;
    const send = () => {
      const headers = { ...opts.headers, ...this.authHeader(opts.scope) };
      const body = typeof opts.body === 'function' ? opts.body() : opts.body;
      return httpRequest(url, { method: opts.method, headers, body });
    };
    let res = await send();
    if (res.status !== 401) return res;
    const challenge = res.headers['www-authenticate'];
    if (!challenge) return res;
    const { scheme, params } = parseChallenge(challenge);
    if (scheme === 'basic') {
      if (!this.creds || this.basic) return res;
      this.basic = true;
    } else if (scheme === 'bearer') {
      // The caller's scope wins: a push needs pull,push although a HEAD is challenged for pull only.
      const scope = opts.scope ?? params.scope ?? '';
      // Cached per scope, so later (streamed) requests authenticate up front without a retry.
      this.tokens.set(opts.scope ?? '', await this.fetchToken(params.realm ?? '', params.service, scope));
    } else return res;
    res = await send();
    return res;
  }

  private authHeader(scope?: string): Record<string, string> {
    const token = this.tokens.get(scope ?? '');
    if (token) return { authorization: `Bearer ${token}` };
    if (this.basic && this.creds) return { authorization: `Basic ${b64(this.creds)}` };
    return {};
  }

  /** Fetches a token by the GET form of the Docker token spec. */
  async fetchToken(realm: string, service: string | undefined, scope: string): Promise<string> {
    const u = new URL(realm);
    if (service) u.searchParams.set('service', service);
    for (const s of scope.split(' ').filter(Boolean)) u.searchParams.append('scope', s);
    const headers: Record<string, string> = this.creds ? { authorization: `Basic ${b64(this.creds)}` } : {};
    const res = await httpRequest(u.toString(), { headers });
    if (res.status !== 200) throw new Error(`token request to ${realm} failed: ${res.status} ${res.body.toString()}`);
    const json = JSON.parse(res.body.toString()) as { token?: string; access_token?: string };
    const token = json.token ?? json.access_token;
    if (!token) throw new Error(`token server ${realm} returned no token`);
    return token;
  }
}

const b64 = (c: Credentials) => Buffer.from(`${c.username}:${c.password}`).toString('base64');
