// Child-process entry of the token server. It runs apart from the test process on purpose: a
// test that blocks its own event loop (execFileSync('skopeo', …)) would otherwise deadlock the
// client waiting for a token. Usage: node token-server-main.js '<json TokenServerConfig>'.
import http from 'node:http';
import { randomUUID, createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { parseScope, signJwt, type AccessEntry, type SigningCert } from './jwt.js';
import type { TokenRequest } from './token-server.js';

/** What the parent passes on the command line. */
export interface TokenServerConfig {
  keyPath: string;
  certPath: string;
  mode: 'kid' | 'x5c';
  service: string;
  issuer: string;
  expiresIn: number;
  users: Record<string, string>;
  anonymousPull: boolean;
  /** Secret path prefix of the control endpoints, so registry clients cannot reach them by accident. */
  adminPrefix: string;
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as TokenServerConfig;
const cert: SigningCert = {
  keyPath: cfg.keyPath,
  certPath: cfg.certPath,
  key: createPrivateKey(readFileSync(cfg.keyPath)),
  cert: new X509Certificate(readFileSync(cfg.certPath)),
};
let users = cfg.users;
let anonymousPull = cfg.anonymousPull;
const log: TokenRequest[] = [];

function grant(user: string | undefined, scopes: string[]): AccessEntry[] {
  return scopes.flatMap((s) => {
    const a = parseScope(s);
    if (!a) return [];
    // Authenticated users get what they ask for; anonymous callers at most pull, and only if allowed.
    const actions = user !== undefined ? a.actions : anonymousPull ? a.actions.filter((x) => x === 'pull') : [];
    return actions.length ? [{ ...a, actions }] : [];
  });
}

const splitScopes = (values: string[]) => values.flatMap((s) => s.split(' ')).filter(Boolean);

function token(req: http.IncomingMessage, url: URL, body: string, res: http.ServerResponse): void {
  const rec: TokenRequest = { method: req.method === 'POST' ? 'POST' : 'GET', scopes: [], status: 200, granted: [] };
  let password: string | undefined;
  if (req.method === 'POST') {
    // OAuth2 password grant (containerd); scopes are space-joined, some clients repeat the field.
    const f = new URLSearchParams(body);
    rec.grantType = f.get('grant_type') ?? undefined;
    rec.clientId = f.get('client_id') ?? undefined;
    rec.user = f.get('username') ?? undefined;
    password = f.get('password') ?? undefined;
    rec.service = f.get('service') ?? undefined;
    rec.scopes = splitScopes(f.getAll('scope'));
  } else {
    const auth = req.headers.authorization ?? '';
    if (auth.startsWith('Basic ')) {
      const dec = Buffer.from(auth.slice(6), 'base64').toString('utf8');
      const i = dec.indexOf(':');
      rec.user = i < 0 ? dec : dec.slice(0, i);
      password = i < 0 ? '' : dec.slice(i + 1);
    }
    rec.service = url.searchParams.get('service') ?? undefined;
    rec.scopes = splitScopes(url.searchParams.getAll('scope'));
  }
  log.push(rec);
  const reply = (status: number, obj: unknown, headers: Record<string, string> = {}) => {
    rec.status = status;
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(obj));
  };
  if (req.method === 'POST' && rec.grantType !== 'password') return reply(400, { error: 'unsupported_grant_type' });
  if (rec.user !== undefined && (!Object.hasOwn(users, rec.user) || users[rec.user] !== password)) {
    const errors = [{ code: 'UNAUTHORIZED', message: 'invalid username or password' }];
    return reply(401, { errors }, { 'www-authenticate': 'Basic realm="accelerboat-test-token"' });
  }
  rec.granted = grant(rec.user, rec.scopes);
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: cfg.issuer,
    sub: rec.user ?? '',
    aud: rec.service ?? cfg.service,
    exp: now + cfg.expiresIn,
    nbf: now - 10, // tolerate small clock differences
    iat: now,
    jti: randomUUID(),
    access: rec.granted,
  };
  const jwt = signJwt(claims, cert, cfg.mode);
  reply(200, { token: jwt, access_token: jwt, expires_in: cfg.expiresIn, issued_at: new Date(now * 1000).toISOString() });
}

function admin(op: string, body: string, res: http.ServerResponse): void {
  const json = (obj: unknown): void => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(obj));
  };
  if (op === 'requests') return json(log);
  const arg = body ? (JSON.parse(body) as { users?: Record<string, string>; user?: string; allowed?: boolean }) : {};
  if (op === 'users') users = { ...arg.users };
  else if (op === 'revoke' && arg.user !== undefined) delete users[arg.user];
  else if (op === 'anonymous-pull') anonymousPull = !!arg.allowed;
  else return void res.writeHead(404).end();
  json({ ok: true });
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = Buffer.concat(chunks).toString('utf8');
    if (url.pathname === '/token') return token(req, url, body, res);
    if (url.pathname.startsWith(cfg.adminPrefix)) return admin(url.pathname.slice(cfg.adminPrefix.length), body, res);
    res.writeHead(404).end();
  });
});
server.listen(0, '127.0.0.1', () => {
  console.log(`token server listening on port ${(server.address() as AddressInfo).port}`);
});
// The parent stops us with SIGTERM; exit at once instead of waiting for keep-alive clients.
process.on('SIGTERM', () => process.exit(0));
