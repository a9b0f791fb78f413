import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createSigningCert, parseScope, signJwt, type AccessEntry, type SigningCert } from './jwt.js';
import { tempDir } from './process.js';

/** Options for {@link startTokenServer}. */
export interface TokenServerOptions {
  /** username → password. */
  users?: Record<string, string>;
  /** Grant `pull` to callers without credentials (default false: they get an empty access list). */
  anonymousPull?: boolean;
  /** How the JWT names its signing key (default 'kid'). */
  mode?: 'kid' | 'x5c';
  /** `aud` claim; must equal the registry's `auth.token.service` (default 'accelerboat-test-registry'). */
  service?: string;
  /** `iss` claim; must equal the registry's `auth.token.issuer` (default 'accelerboat-test-issuer'). */
  issuer?: string;
  /** Token lifetime in seconds (default 300). */
  expiresIn?: number;
  /** Where to write the key and cert (default: a temp dir removed on stop). */
  dir?: string;
}

/** One recorded token request (passwords are never recorded). */
export interface TokenRequest {
  method: 'GET' | 'POST';
  /** Username presented, or undefined for anonymous callers. */
  user?: string;
  service?: string;
  /** Raw scope strings as requested. */
  scopes: string[];
  /** OAuth2 form fields (POST only). */
  grantType?: string;
  clientId?: string;
  /** HTTP status of the reply. */
  status: number;
  /** What the issued token grants (empty when refused). */
  granted: AccessEntry[];
}

/** A running Docker token server (in this process). */
export interface TokenServer {
  /** The realm, e.g. `http://127.0.0.1:1234/token`. */
  url: string;
  service: string;
  issuer: string;
  /** Certificate to give the registry as `rootcertbundle`. */
  certPath: string;
  mode: 'kid' | 'x5c';
  /** All token requests so far, oldest first. */
  requests(): TokenRequest[];
  /** Replaces the user table (e.g. to change a password mid-test). */
  setUsers(users: Record<string, string>): void;
  /** Removes a user: later token requests with its credentials get 401. */
  revoke(user: string): void;
  setAnonymousPull(allowed: boolean): void;
  stop(): Promise<void>;
}

/**
 * Starts a token server implementing the Docker token spec on 127.0.0.1: GET with Basic auth and
 * repeated `scope` params (skopeo, docker) and the OAuth2 password-grant POST form (containerd).
 */
export async function startTokenServer(opts: TokenServerOptions = {}): Promise<TokenServer> {
  const ownDir = opts.dir ? undefined : tempDir('ab-token-');
  const cert: SigningCert = await createSigningCert(opts.dir ?? ownDir!.path);
  const mode = opts.mode ?? 'kid';
  const service = opts.service ?? 'accelerboat-test-registry';
  const issuer = opts.issuer ?? 'accelerboat-test-issuer';
  const expiresIn = opts.expiresIn ?? 300;
  let users = { ...(opts.users ?? {}) };
  let anonymousPull = opts.anonymousPull ?? false;
  const log: TokenRequest[] = [];

  const grant = (user: string | undefined, scopes: string[]): AccessEntry[] =>
    scopes.flatMap((s) => {
      const a = parseScope(s);
      if (!a) return [];
      // Authenticated users get what they ask for; anonymous callers at most pull, and only if allowed.
      const actions = user !== undefined ? a.actions : anonymousPull ? a.actions.filter((x) => x === 'pull') : [];
      return actions.length ? [{ ...a, actions }] : [];
    });

  const handle = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const rec: TokenRequest = { method: req.method === 'POST' ? 'POST' : 'GET', scopes: [], status: 200, granted: [] };
    let password: string | undefined;
    if (req.method === 'POST') {
      const f = new URLSearchParams(body);
      rec.grantType = f.get('grant_type') ?? undefined;
      rec.clientId = f.get('client_id') ?? undefined;
      rec.user = f.get('username') ?? undefined;
      password = f.get('password') ?? undefined;
      rec.service = f.get('service') ?? undefined;
      // The OAuth2 form joins scopes with spaces; some clients repeat the field instead.
      rec.scopes = f.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean);
    } else {
      const auth = req.headers.authorization ?? '';
      if (auth.startsWith('Basic ')) {
        const dec = Buffer.from(auth.slice(6), 'base64').toString('utf8');
        const i = dec.indexOf(':');
        rec.user = i < 0 ? dec : dec.slice(0, i);
        password = i < 0 ? '' : dec.slice(i + 1);
      }
      rec.service = u.searchParams.get('service') ?? undefined;
      rec.scopes = u.searchParams.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean);
    }
    log.push(rec);
    const reply = (status: number, obj: unknown, headers: Record<string, string> = {}) => {
      rec.status = status;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(obj));
    };
    if (req.method === 'POST' && rec.grantType !== 'password') {
      return reply(400, { error: 'unsupported_grant_type' });
    }
    if (rec.user !== undefined && (!Object.hasOwn(users, rec.user) || users[rec.user] !== password)) {
      return reply(401, { errors: [{ code: 'UNAUTHORIZED', message: 'invalid username or password' }] }, {
        'www-authenticate': 'Basic realm="accelerboat-test-token"',
      });
    }
    rec.granted = grant(rec.user, rec.scopes);
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: issuer,
      sub: rec.user ?? '',
      aud: rec.service ?? service,
      exp: now + expiresIn,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access: rec.granted,
    };
    const token = signJwt(claims, cert, mode);
    reply(200, { token, access_token: token, expires_in: expiresIn, issued_at: new Date(now * 1000).toISOString() });
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (new URL(req.url ?? '/', 'http://x').pathname !== '/token') {
        res.writeHead(404).end();
        return;
      }
      handle(req, Buffer.concat(chunks).toString('utf8'), res);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  // Clients keep connections alive; without this, close() would wait for them to idle out.
  server.unref();
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certPath: cert.certPath,
    mode,
    requests: () => log.map((r) => ({ ...r, scopes: [...r.scopes], granted: r.granted.map((g) => ({ ...g })) })),
    setUsers: (u) => void (users = { ...u }),
    revoke: (user) => void delete users[user],
    setAnonymousPull: (allowed) => void (anonymousPull = allowed),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await ownDir?.remove();
    },
  };
}
