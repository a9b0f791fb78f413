import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAccessLogLine, type AccessLogEntry } from './access-log.js';
import { findBinary } from './bin.js';
import type { ProcessPlace } from './netns-host.js';
import { freePort } from './ports.js';
import { startProcess, type ProcessHandle } from './process.js';
import { tempDir } from './temp-dir.js';
import { startTokenServer, type TokenServer } from './token-server.js';

const run = promisify(execFile);

/** Options for {@link startRegistry}. */
export interface RegistryOptions {
  /** 'none': anonymous read/write; 'htpasswd': HTTP Basic; 'token': Bearer via a Docker token server. */
  auth?: 'none' | 'htpasswd' | 'token';
  /** username → password for 'htpasswd' and 'token' (default `{ alice: 's3cret' }`). */
  users?: Record<string, string>;
  /** Token mode only: anonymous callers may pull (htpasswd cannot express this in distribution). */
  anonymousPull?: boolean;
  /** Token mode only: how JWTs name the signing key (default 'kid'). */
  tokenMode?: 'kid' | 'x5c';
  /** Token mode only: token lifetime in seconds. */
  tokenExpiresIn?: number;
  /**
   * Where the registry runs and listens (e.g. a network namespace of a test cluster); default:
   * the root namespace's loopback. Token auth needs the root namespace (its token server is there).
   */
  place?: ProcessPlace;
}

/** A running docker-registry (distribution 2.8). */
export interface Registry {
  /** `127.0.0.1:<port>` (or the place's address), as used in image references. */
  host: string;
  /** `http://127.0.0.1:<port>` */
  url: string;
  auth: 'none' | 'htpasswd' | 'token';
  users: Record<string, string>;
  /** Work dir with config.yml, data/ and registry.log. */
  dir: string;
  /** The registry's whole output (access log lines and logrus lines). */
  accessLogPath: string;
  /** Requests logged so far. The line is written just after the response, so see {@link flushAccessLog}. */
  accessLog(): AccessLogEntry[];
  /** Waits until every request answered before this call is in the log, then returns the log. */
  flushAccessLog(): Promise<AccessLogEntry[]>;
  /** Forgets the entries so far (e.g. between test phases). */
  clearAccessLog(): void;
  tokenServer?: TokenServer;
  process: ProcessHandle;
  stop(): Promise<void>;
}

const FLUSH_PARAM = 'accelerboat-flush';

/** Starts a docker-registry on a free loopback port with its config, storage and logs in a temp dir. */
export async function startRegistry(opts: RegistryOptions = {}): Promise<Registry> {
  const auth = opts.auth ?? 'none';
  const users = { ...(opts.users ?? { alice: 's3cret' }) };
  if (opts.place && auth === 'token') throw new Error('startRegistry: token auth is not supported in a ProcessPlace (the token server runs on the root loopback)');
  const ip = opts.place?.ip ?? '127.0.0.1';
  const dir = tempDir('ab-registry-');
  let tokenServer: TokenServer | undefined;
  try {
    const port = await freePort();
    const lines = [
      'version: 0.1',
      'log:',
      '  level: info',
      '  accesslog:',
      '    disabled: false',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${JSON.stringify(join(dir.path, 'data'))}`,
      '  delete:',
      '    enabled: true',
      '  cache:',
      '    blobdescriptor: inmemory',
      'http:',
      `  addr: ${ip}:${port}`,
      // A fixed secret silences the warning and keeps upload state valid across restarts.
      `  secret: ${randomUUID()}`,
      'health:',
      '  storagedriver:',
      '    enabled: false',
    ];
    if (auth === 'htpasswd') {
      const file = join(dir.path, 'htpasswd');
      let content = '';
      // distribution accepts only bcrypt entries.
      for (const [u, p] of Object.entries(users)) content += (await run('htpasswd', ['-Bbn', u, p])).stdout.trim() + '\n';
      writeFileSync(file, content);
      lines.push('auth:', '  htpasswd:', '    realm: accelerboat-test', `    path: ${JSON.stringify(file)}`);
    } else if (auth === 'token') {
      tokenServer = await startTokenServer({
        users,
        anonymousPull: opts.anonymousPull ?? false,
        mode: opts.tokenMode ?? 'kid',
        expiresIn: opts.tokenExpiresIn,
        dir: dir.path,
      });
      lines.push(
        'auth:',
        '  token:',
        `    realm: ${tokenServer.url}`,
        `    service: ${tokenServer.service}`,
        `    issuer: ${tokenServer.issuer}`,
        `    rootcertbundle: ${JSON.stringify(tokenServer.certPath)}`,
      );
    }
    mkdirSync(join(dir.path, 'data'));
    const configPath = join(dir.path, 'config.yml');
    writeFileSync(configPath, lines.join('\n') + '\n');

    let log: AccessLogEntry[] = [];
    const flushWaiters = new Map<string, () => void>();
    const accessLogPath = join(dir.path, 'registry.log');
    const proc = await (opts.place?.start ?? startProcess)({
      name: 'docker-registry',
      command: findBinary('docker-registry', '/usr/bin/docker-registry'),
      args: ['serve', configPath],
      logFile: accessLogPath,
      readyWhen: { logLine: new RegExp(`listening on ${ip.replace(/\./g, '\\.')}:\\d+`) },
      onLine(line) {
        const e = parseAccessLogLine(line);
        if (!e) return;
        const flush = e.kind === 'base' ? new URLSearchParams(e.query).get(FLUSH_PARAM) : null;
        if (flush !== null) flushWaiters.get(flush)?.();
        else log.push(e);
      },
    });
    const url = `http://${ip}:${port}`;
    const place = opts.place;
    return {
      host: `${ip}:${port}`,
      url,
      auth,
      users,
      dir: dir.path,
      accessLogPath,
      accessLog: () => [...log],
      async flushAccessLog() {
        // A marker request logged after everything answered before it; the short pause covers
        // the window in which an earlier response was sent but its log line not yet written.
        await new Promise((r) => setTimeout(r, 20));
        const id = randomUUID();
        const seen = new Promise<void>((r) => flushWaiters.set(id, r));
        const marker = `${url}/v2/?${FLUSH_PARAM}=${id}`;
        // From inside the place: its address means nothing in the root namespace.
        if (place) await place.httpGet(marker);
        else await fetch(marker).then((r) => r.arrayBuffer());
        await Promise.race([seen, new Promise((r) => setTimeout(r, 2000))]);
        flushWaiters.delete(id);
        return [...log];
      },
      clearAccessLog: () => void (log = []),
      tokenServer,
      process: proc,
      async stop() {
        await proc.stop();
        await tokenServer?.stop();
        await dir.remove();
      },
    };
  } catch (err) {
    await tokenServer?.stop();
    await dir.remove();
    throw err;
  }
}
