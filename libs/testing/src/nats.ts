import { join } from 'node:path';
import { findBinary } from './bin.js';
import { freePort } from './ports.js';
import { startProcess, type ProcessHandle } from './process.js';
import { tempDir } from './temp-dir.js';

/** Options for {@link startNatsServer}. */
export interface NatsServerOptions {
  /** Enable JetStream (storage in the server's temp dir). */
  jetstream?: boolean;
  /** Extra nats-server arguments. */
  args?: string[];
  /** Binary (default /usr/sbin/nats-server, else `nats-server` from PATH). */
  binary?: string;
}

/** A running nats-server. */
export interface NatsServer {
  /** Client URL, `nats://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** HTTP monitoring base URL (`/varz`, `/connz`, `/healthz` ...). */
  monitorUrl: string;
  /** Work dir holding `nats.log` (and JetStream storage). */
  dir: string;
  process: ProcessHandle;
  stop(): Promise<void>;
}

/** Starts a throwaway nats-server on free ports, bound to 127.0.0.1 only, with monitoring on. */
export async function startNatsServer(opts: NatsServerOptions = {}): Promise<NatsServer> {
  const dir = tempDir('ab-nats-');
  const [port, monitorPort] = [await freePort(), await freePort()];
  // -a also binds the monitoring listener, so nothing listens beyond loopback.
  const args = ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitorPort)];
  if (opts.jetstream) args.push('-js', '-sd', join(dir.path, 'js'));
  args.push(...(opts.args ?? []));
  let proc: ProcessHandle;
  try {
    proc = await startProcess({
      name: 'nats-server',
      command: opts.binary ?? findBinary('nats-server', '/usr/sbin/nats-server'),
      args,
      logFile: join(dir.path, 'nats.log'),
      readyWhen: { logLine: /Server is ready/ },
    });
  } catch (err) {
    await dir.remove();
    throw err;
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    monitorUrl: `http://127.0.0.1:${monitorPort}`,
    dir: dir.path,
    process: proc,
    async stop() {
      await proc.stop();
      await dir.remove();
    },
  };
}

