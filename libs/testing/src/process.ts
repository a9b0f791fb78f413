import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { canConnect } from './ports.js';

/** How `startProcess` decides the process is ready. */
export type ReadyWhen =
  | { logLine: RegExp }
  | { port: number; host?: string }
  | { http: string; status?: number }
  /** Any check, e.g. one run inside a network namespace; polled every `intervalMs` (default 100). */
  | { probe: () => Promise<boolean>; intervalMs?: number };

/** Options for {@link startProcess}. */
export interface StartProcessOptions {
  /** Short name used in error messages. */
  name: string;
  command: string;
  args?: string[];
  /** Extra environment, merged over `process.env`. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Omit to resolve as soon as the process is spawned. */
  readyWhen?: ReadyWhen;
  /** Startup timeout (default 15 s). */
  timeoutMs?: number;
  /** Also append all output to this file. */
  logFile?: string;
  /** Time between SIGTERM and SIGKILL in `stop()` (default 3 s). */
  stopGraceMs?: number;
  /** Bytes of output kept in memory (default 256 KiB). */
  logBufferBytes?: number;
  /** Called with every complete output line (stdout and stderr), e.g. to parse access logs. */
  onLine?: (line: string) => void;
}

/** A running child process started by {@link startProcess}. */
export interface ProcessHandle {
  readonly name: string;
  readonly pid: number;
  /** Captured stdout+stderr (the last `logBufferBytes`). */
  logs(): string;
  /** Exit code or signal once the process has exited, else undefined. */
  exitStatus(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** SIGTERM the process group, SIGKILL after the grace period, and wait for exit. Idempotent. */
  stop(): Promise<void>;
}

// Every live child is tracked so that a crashed or forgetful test never leaves servers behind:
// the exit hook kills whatever is still running.
const live = new Set<ChildProcess>();
let hooksInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal); // negative pid: the whole process group
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

const cleanups: (() => void)[] = [() => live.forEach((c) => killGroup(c, 'SIGKILL'))];

function runCleanups(): void {
  for (const f of cleanups.splice(0)) {
    try {
      f();
    } catch {
      /* best effort: keep cleaning up */
    }
  }
}

/**
 * Registers a synchronous cleanup that runs when this process exits, also on SIGINT, SIGTERM or
 * SIGHUP ('exit' alone does not run when a signal kills the process). Installs the hooks once.
 */
export function onProcessExit(fn: () => void): void {
  ensureHooks();
  cleanups.push(fn);
}

function ensureHooks(): void {
  if (!hooksInstalled) {
    hooksInstalled = true;
    process.on('exit', runCleanups);
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      const onSignal = () => {
        runCleanups();
        // Then die by the same signal, as if we had never caught it.
        process.removeListener(sig, onSignal);
        process.kill(process.pid, sig);
      };
      process.on(sig, onSignal);
    }
  }
}

/**
 * Spawns a server in its own process group, captures its output and waits until it is ready.
 * Rejects (after killing it) with the tail of its output if it exits first or the timeout hits.
 */
export async function startProcess(opts: StartProcessOptions): Promise<ProcessHandle> {
  ensureHooks();
  const { name, timeoutMs = 15_000, stopGraceMs = 3_000, logBufferBytes = 256 * 1024 } = opts;
  const child = spawn(opts.command, opts.args ?? [], {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group, so stop() also reaches grandchildren
  });
  let buf = '';
  let file: WriteStream | undefined;
  if (opts.logFile) file = createWriteStream(opts.logFile, { flags: 'a' });
  const onOutput = new Set<() => void>();
  const capture = (chunk: Buffer) => {
    buf += chunk.toString('utf8');
    if (buf.length > logBufferBytes) buf = buf.slice(buf.length - logBufferBytes);
    file?.write(chunk);
    for (const f of onOutput) f();
  };
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.on('data', capture);
    if (opts.onLine) {
      // Per stream, so that a line split across chunks is not interleaved with the other stream.
      let partial = '';
      const onLine = opts.onLine;
      stream.on('data', (chunk: Buffer) => {
        const parts = (partial + chunk.toString('utf8')).split('\n');
        partial = parts.pop()!;
        for (const line of parts) onLine(line);
      });
      stream.on('end', () => partial && onLine(partial));
    }
  }

  let status: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('error', (err) => {
      spawnError = err;
      if (child.pid === undefined) resolve(); // spawn failed: there will be no 'exit'
    });
    child.once('exit', (code, signal) => {
      status = { code, signal };
      live.delete(child);
      resolve();
    });
  });
  // Close the log file only after the pipes drained ('close' comes after 'exit').
  child.once('close', () => file?.end());
  if (child.pid !== undefined) live.add(child);

  let stopping: Promise<void> | undefined;
  const handle: ProcessHandle = {
    name,
    pid: child.pid ?? -1,
    logs: () => buf,
    exitStatus: () => status,
    stop() {
      stopping ??= (async () => {
        if (status || child.pid === undefined) return;
        child.ref(); // keep the loop alive until the exit is observed
        killGroup(child, 'SIGTERM');
        const timer = setTimeout(() => killGroup(child, 'SIGKILL'), stopGraceMs);
        await exited;
        clearTimeout(timer);
        // Grandchildren that ignored SIGTERM would otherwise outlive the leader.
        killGroup(child, 'SIGKILL');
      })();
      return stopping;
    },
  };

  const fail = async (why: string): Promise<never> => {
    await handle.stop();
    const tail = buf.split('\n').slice(-40).join('\n');
    throw new Error(`${name}: ${why}\n--- last output of ${name} ---\n${tail}`);
  };

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
  let settled = false;
  const result = await Promise.race([
    waitReady(opts.readyWhen, () => buf, onOutput, () => settled),
    exited.then(() => 'exited' as const),
    timeout,
  ]);
  settled = true;
  clearTimeout(timer);
  onOutput.clear();
  if (spawnError) return fail(`failed to start ${opts.command}: ${spawnError.message}`);
  if (result === 'exited' || status) return fail(`exited before ready (code ${status?.code}, signal ${status?.signal})`);
  if (result === 'timeout') return fail(`not ready after ${timeoutMs} ms`);
  // A forgotten server must not keep the test process alive; the exit hook kills it.
  child.unref();
  (child.stdout as unknown as { unref?: () => void }).unref?.();
  (child.stderr as unknown as { unref?: () => void }).unref?.();
  return handle;
}

async function waitReady(
  readyWhen: ReadyWhen | undefined,
  logs: () => string,
  onOutput: Set<() => void>,
  cancelled: () => boolean,
): Promise<'ready' | 'cancelled'> {
  if (!readyWhen) return 'ready';
  if ('logLine' in readyWhen) {
    const re = readyWhen.logLine;
    return new Promise((resolve) => {
      const check = () => {
        if (re.test(logs())) {
          onOutput.delete(check);
          resolve('ready');
        }
      };
      onOutput.add(check);
      check();
    });
  }
  // Poll until ready, or until the caller stops caring (exit or timeout won the race).
  while (!cancelled()) {
    if ('probe' in readyWhen) {
      if (await readyWhen.probe().catch(() => false)) return 'ready';
      await new Promise((r) => setTimeout(r, readyWhen.intervalMs ?? 100));
      continue;
    }
    if ('port' in readyWhen) {
      if (await canConnect(readyWhen.host ?? '127.0.0.1', readyWhen.port, 500)) return 'ready';
    } else {
      try {
        const res = await fetch(readyWhen.http, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        if (readyWhen.status === undefined ? res.status < 500 : res.status === readyWhen.status) return 'ready';
      } catch {
        /* not listening yet */
      }
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return 'cancelled';
}
