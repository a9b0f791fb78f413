import { connect, type NatsConnection } from 'nats';
import { ConfigError, loadConfig } from '@accelerboat/config';
import { CoordinatorClient } from '@accelerboat/coordination';
import { connectionOptions, NatsConfig, NatsRpcClient, natsServers } from '@accelerboat/nats-transport';
import { CliError } from './errors.js';

/** How the CLI reaches the cluster: the global options. */
export interface ClusterOptions {
  /** NATS server URLs, comma-separated; NATS_SERVERS (then nats://127.0.0.1:4222) otherwise. */
  server?: string;
  /** Deadline of each request, in milliseconds. */
  timeoutMs: number;
  /** The environment NATS_* keys are read from. */
  env?: NodeJS.ProcessEnv;
}

/** One NATS connection and the typed clients over it. */
export interface Cluster {
  nc: NatsConnection;
  rpc: NatsRpcClient;
  coordinator: CoordinatorClient;
  /** The servers tried, for messages. */
  servers: string[];
  close(): Promise<void>;
}

// How long the first connection may take before the command gives up.
const CONNECT_TIMEOUT_MS = 5000;

/**
 * Connects to NATS with the services' own NatsConfig keys (NATS_SERVERS, NATS_USER/PASSWORD,
 * NATS_TOKEN), `--server` overriding NATS_SERVERS. Unlike a service, which waits for NATS forever
 * (connectNats), a command must fail fast: one attempt per server, no reconnects.
 */
export async function openCluster(opts: ClusterOptions): Promise<Cluster> {
  const env = { ...(opts.env ?? process.env), ...(opts.server ? { NATS_SERVERS: opts.server } : {}) };
  let config: NatsConfig;
  try {
    config = loadConfig({ nats: NatsConfig }, env).nats;
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.problems.map((p) => `${p.key === 'NATS_SERVERS' && opts.server ? '--server' : p.key}: ${p.problems.join('; ')}`).join(', '));
    throw e;
  }
  const servers = natsServers(config);
  let nc: NatsConnection;
  try {
    nc = await connect({ ...connectionOptions(config, 'accelerboat-cli'), waitOnFirstConnect: false, reconnect: false, maxReconnectAttempts: 0, timeout: CONNECT_TIMEOUT_MS });
  } catch (e) {
    throw new CliError(`cannot reach NATS at ${servers.join(', ')}: ${e instanceof Error ? e.message : String(e)} (set --server or NATS_SERVERS)`);
  }
  const rpc = new NatsRpcClient(nc, { timeoutMs: opts.timeoutMs });
  return {
    nc,
    rpc,
    coordinator: new CoordinatorClient(rpc),
    servers,
    close: async () => {
      if (!nc.isClosed()) await nc.close();
    },
  };
}
