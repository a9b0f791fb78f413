import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startProcess, type ProcessHandle, type ReadyWhen, type StartProcessOptions } from './process.js';

const run = promisify(execFile);

/** What a command run with {@link NetnsHost.exec} printed. */
export interface ExecResult {
  stdout: string;
  stderr: string;
}

/** Options of {@link NetnsHost.exec}. */
export interface ExecOptions {
  /** Killed after this long (default 120 s). */
  timeoutMs?: number;
  /** Extra environment, merged over `process.env`. */
  env?: Record<string, string | undefined>;
}

/**
 * Where a test server runs and how the test reaches it. The root namespace's loopback is the
 * default everywhere; a {@link NetnsHost} is the other kind, for multi-node tests.
 */
export interface ProcessPlace {
  /** The address servers bind to there, and clients in the same network use. */
  readonly ip: string;
  /** {@link startProcess}, run there. */
  start(opts: StartProcessOptions): Promise<ProcessHandle>;
  /** The status of a GET sent from there (0 when nothing answered). */
  httpGet(url: string, timeoutMs?: number): Promise<number>;
}

/**
 * One network namespace of a test cluster (a node, or a helper host such as the upstream).
 * Everything that talks to its network runs inside it: a namespace address must never be used
 * from the root namespace, where it is not local and would be routed off the machine.
 */
export interface NetnsHost extends ProcessPlace {
  /** Role name: `node1`, `infra`, `upstream`. */
  readonly name: string;
  /** The namespace (`ip netns exec <ns> ...`). */
  readonly ns: string;
  /** Runs a command inside the namespace; rejects with its stderr on a non-zero exit. */
  exec(command: string, args?: string[], opts?: ExecOptions): Promise<ExecResult>;
  /**
   * Starts a server inside the namespace (`ip netns exec <ns> <command> ...` via startProcess).
   * `port` and `http` readiness are checked from inside the namespace as well.
   */
  start(opts: StartProcessOptions): Promise<ProcessHandle>;
}

/** Builds the handle of namespace `ns` whose address is `ip`. */
export function netnsHost(name: string, ns: string, ip: string): NetnsHost {
  const exec = async (command: string, args: string[] = [], opts: ExecOptions = {}): Promise<ExecResult> => {
    try {
      return await run('ip', ['netns', 'exec', ns, command, ...args], {
        timeout: opts.timeoutMs ?? 120_000,
        maxBuffer: 32 << 20,
        env: { ...process.env, ...opts.env },
      });
    } catch (err) {
      const e = err as Error & { stderr?: string; code?: number | string };
      throw new Error(`[${name}] ${command} ${args.join(' ')}: ${e.code ?? ''} ${e.stderr?.trim() || e.message}`, { cause: err });
    }
  };
  const httpGet = async (url: string, timeoutMs = 2000): Promise<number> => {
    try {
      const { stdout } = await exec('curl', ['-s', '--noproxy', '*', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', String(timeoutMs / 1000), url], { timeoutMs: timeoutMs + 1000 });
      return Number(stdout.trim()) || 0;
    } catch {
      return 0; // refused, timed out: nothing answered
    }
  };
  // The harness's own readiness checks would connect from the root namespace: run them inside.
  const inside = (readyWhen: ReadyWhen | undefined): ReadyWhen | undefined => {
    if (!readyWhen || 'logLine' in readyWhen || 'probe' in readyWhen) return readyWhen;
    if ('port' in readyWhen) {
      const target = `/dev/tcp/${readyWhen.host ?? '127.0.0.1'}/${readyWhen.port}`;
      return { probe: () => exec('bash', ['-c', `exec 3<>${target}`], { timeoutMs: 2000 }).then(() => true) };
    }
    const { http, status } = readyWhen;
    return { probe: async () => ((s) => s !== 0 && (status === undefined ? s < 500 : s === status))(await httpGet(http, 1000)) };
  };
  return {
    name,
    ns,
    ip,
    exec,
    httpGet,
    start: (opts) =>
      startProcess({
        ...opts,
        name: `${opts.name}@${name}`,
        command: 'ip',
        args: ['netns', 'exec', ns, opts.command, ...(opts.args ?? [])],
        readyWhen: inside(opts.readyWhen),
      }),
  };
}
