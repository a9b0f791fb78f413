import { connect, type ConnectionOptions, type NatsConnection } from 'nats';
import { defaultLogger, type NatsLogger } from './logger.js';
import { natsServers, type NatsConfig } from './nats.config.js';
import { NatsHealth } from './nats-health.js';

/** How connectNats names and reports the connection. */
export interface ConnectNatsOptions {
  /** The service name; used as the connection name unless NATS_NAME is set. */
  name: string;
  /** Where connection events go; Nest's Logger by default. */
  logger?: NatsLogger;
}

/**
 * Opens the process's one NATS connection. It waits for the first server (so a pod started
 * before NATS comes up just waits), then reconnects forever with jitter, because a control
 * plane outage must degrade pulls to the upstream, never end the process.
 * The connection's state is available from `NatsHealth.of(nc)`.
 */
export async function connectNats(config: NatsConfig, options: ConnectNatsOptions): Promise<NatsConnection> {
  const logger = defaultLogger('NatsConnection', options.logger);
  const nc = await connect(connectionOptions(config, options.name));
  NatsHealth.of(nc, logger);
  logger.log(`NATS connected to ${nc.getServer()} as ${config.name ?? options.name}`);
  return nc;
}

/** The nats.js options derived from the config; exported for tests. */
export function connectionOptions(config: NatsConfig, name: string): ConnectionOptions {
  return {
    servers: natsServers(config),
    name: config.name ?? name,
    waitOnFirstConnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1000,
    // Jitter spreads the reconnects of a whole DaemonSet after a NATS restart.
    reconnectJitter: 500,
    reconnectJitterTLS: 1000,
    ...(config.token !== undefined ? { token: config.token } : {}),
    ...(config.user !== undefined ? { user: config.user, pass: config.password } : {}),
  };
}
