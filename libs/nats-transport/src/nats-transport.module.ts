import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { NatsConnection } from 'nats';
import { NatsHealth } from './nats-health.js';
import { NatsRpcClient } from './nats-rpc.client.js';
import { NatsConfig } from './nats.config.js';
import { RpcErrorFilter } from './rpc-error.filter.js';

/** Injection token of the process's NatsConnection (`@Inject(NATS_CONNECTION)`). */
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');

/** What the app hands to the module: the connection opened by connectNats, and its config. */
export interface NatsTransportModuleOptions {
  connection: NatsConnection;
  config: NatsConfig;
}

/**
 * Provides the one NATS connection, a NatsRpcClient with the configured timeout, NatsHealth for
 * readiness, and the validated NatsConfig, to the whole app (global). It also registers
 * RpcErrorFilter, so that ProtocolErrors thrown by handlers keep their codes on the wire.
 * The connection is opened before Nest starts (main.ts) because the transport strategy needs
 * it too, and it is closed by the transport's close() (drain on shutdown).
 */
@Module({})
export class NatsTransportModule {
  /** Builds the module around an already open connection. */
  static forRoot(options: NatsTransportModuleOptions): DynamicModule {
    const { connection, config } = options;
    return {
      module: NatsTransportModule,
      global: true,
      providers: [
        { provide: NATS_CONNECTION, useValue: connection },
        { provide: NatsConfig, useValue: config },
        { provide: NatsRpcClient, useValue: new NatsRpcClient(connection, { timeoutMs: config.requestTimeoutMs }) },
        { provide: NatsHealth, useValue: NatsHealth.of(connection) },
        { provide: APP_FILTER, useClass: RpcErrorFilter },
      ],
      exports: [NATS_CONNECTION, NatsConfig, NatsRpcClient, NatsHealth],
    };
  }
}
