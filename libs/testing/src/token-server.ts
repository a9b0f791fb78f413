import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSigningCert, type AccessEntry } from './jwt.js';
import { startProcess, type ProcessHandle } from './process.js';
import { tempDir } from './temp-dir.js';
import type { TokenServerConfig } from './token-server-main.js';

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
  /** Where to write the key, cert and log (default: a temp dir removed on stop). */
  dir?: string;
}

/** One recorded token request (passwords are never recorded). */
export interface TokenRequest {
  method: 'GET' | 'POST';
  /** Username presented, or undefined for anonymous callers. */
  user?: string;
  service?: string;
  /** Scope strings as requested, e.g. `repository:team/app:pull`. */
  scopes: string[];
  /** OAuth2 form fields (POST only). */
  grantType?: string;
  clientId?: string;
  /** HTTP status of the reply. */
  status: number;
  /** What the issued token grants (empty when refused). */
  granted: AccessEntry[];
}

/** A running Docker token server (a child process; see token-server-main.ts for why). */
export interface TokenServer {
  /** The realm, e.g. `http://127.0.0.1:1234/token`. */
  url: string;
  service: string;
  issuer: string;
  /** Certificate to give the registry as `rootcertbundle`. */
  certPath: string;
  mode: 'kid' | 'x5c';
  /** All token requests so far, oldest first. */
  requests(): Promise<TokenRequest[]>;
  /** Replaces the user table (e.g. to change a password mid-test). */
  setUsers(users: Record<string, string>): Promise<void>;
  /** Removes a user: later token requests with its credentials get 401. */
  revoke(user: string): Promise<void>;
  setAnonymousPull(allowed: boolean): Promise<void>;
  process: ProcessHandle;
  stop(): Promise<void>;
}

/**
 * Starts a Docker token server on 127.0.0.1 that signs RS256 JWTs with a fresh self-signed key.
 * It accepts the GET form (Basic auth, repeated `scope`; skopeo, docker) and the OAuth2
 * password-grant POST form (containerd), and answers with `token` and `access_token`.
 */
export async function startTokenServer(opts: TokenServerOptions = {}): Promise<TokenServer> {
  const ownDir = opts.dir ? undefined : tempDir('ab-token-');
  const dir = opts.dir ?? ownDir!.path;
  try {
    const cert = await createSigningCert(dir);
    const cfg: TokenServerConfig = {
      keyPath: cert.keyPath,
      certPath: cert.certPath,
      mode: opts.mode ?? 'kid',
      service: opts.service ?? 'accelerboat-test-registry',
      issuer: opts.issuer ?? 'accelerboat-test-issuer',
      expiresIn: opts.expiresIn ?? 300,
      users: { ...(opts.users ?? {}) },
      anonymousPull: opts.anonymousPull ?? false,
      adminPrefix: `/_admin/${randomUUID()}/`,
    };
    const proc = await startProcess({
      name: 'token-server',
      command: process.execPath,
      args: [fileURLToPath(new URL('./token-server-main.js', import.meta.url)), JSON.stringify(cfg)],
      env: { NODE_OPTIONS: '' },
      logFile: join(dir, 'token-server.log'),
      readyWhen: { logLine: /token server listening on port \d+/ },
    });
    const port = Number(/token server listening on port (\d+)/.exec(proc.logs())![1]);
    const base = `http://127.0.0.1:${port}`;
    const call = async (op: string, body?: unknown) => {
      const res = await fetch(`${base}${cfg.adminPrefix}${op}`, { method: body ? 'POST' : 'GET', body: body ? JSON.stringify(body) : undefined });
      if (!res.ok) throw new Error(`token server ${op}: HTTP ${res.status}`);
      return res.json() as Promise<unknown>;
    };
    return {
      url: `${base}/token`,
      service: cfg.service,
      issuer: cfg.issuer,
      certPath: cert.certPath,
      mode: cfg.mode,
      requests: () => call('requests') as Promise<TokenRequest[]>,
      setUsers: async (users) => void (await call('users', { users })),
      revoke: async (user) => void (await call('revoke', { user })),
      setAnonymousPull: async (allowed) => void (await call('anonymous-pull', { allowed })),
      process: proc,
      async stop() {
        await proc.stop();
        await ownDir?.remove();
      },
    };
  } catch (err) {
    await ownDir?.remove();
    throw err;
  }
}
