import { join } from 'node:path';
import { findBinary } from './bin.js';
import { freePort } from './ports.js';
import { startProcess, type ProcessHandle } from './process.js';
import { tempDir } from './temp-dir.js';

/** Options for {@link startRedisServer}. */
export interface RedisServerOptions {
  /** Extra redis-server arguments, e.g. `['--maxmemory', '10mb']`. */
  args?: string[];
}

/** A running redis-server. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Work dir holding `redis.log`. */
  dir: string;
  process: ProcessHandle;
  stop(): Promise<void>;
}

/** Starts a throwaway redis-server on a free loopback port, without persistence, in its own dir. */
export async function startRedisServer(opts: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = tempDir('ab-redis-');
  const port = await freePort();
  const args = ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'];
  args.push('--daemonize', 'no', '--dir', dir.path, ...(opts.args ?? []));
  let proc: ProcessHandle;
  try {
    proc = await startProcess({
      name: 'redis-server',
      command: findBinary('redis-server', '/usr/bin/redis-server'),
      args,
      logFile: join(dir.path, 'redis.log'),
      readyWhen: { logLine: /Ready to accept connections/ },
    });
  } catch (err) {
    await dir.remove();
    throw err;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir: dir.path,
    process: proc,
    async stop() {
      await proc.stop();
      await dir.remove();
    },
  };
}
