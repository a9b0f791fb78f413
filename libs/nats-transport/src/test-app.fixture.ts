// A tiny real Nest app for the integration tests: one coordinator endpoint (blob locate) whose
// behaviour is steered by the request's nodeId, and one event listener.
import { setTimeout as delay } from 'node:timers/promises';
import { Controller, Inject, Module, type DynamicModule, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, MessagePattern } from '@nestjs/microservices';
import type { NatsConnection } from 'nats';
import { of, type Observable } from 'rxjs';
import { Endpoints, ProtocolError, ServiceNames, type LocateBlobRequest, type LocateBlobResponse } from '@accelerboat/registry-protocol';
import { connectNats } from './connect.js';
import type { NatsLogger } from './logger.js';
import { NatsConfig } from './nats.config.js';
import { NatsServiceTransport, type NatsServiceOptions } from './nats-service.transport.js';
import { NatsTransportModule } from './nats-transport.module.js';

export const digestOf = (c: string): string => `sha256:${c.repeat(64)}`;
/** The digest the app answers NOT_FOUND for. */
export const MISSING = digestOf('0');
/** A secret that appears only in an internal exception message and must never reach a caller. */
export const SECRET = 'hunter2-redis-password';
export const SLOW_MS = 400;

const INSTANCE = Symbol('INSTANCE');
const EVENTS = Symbol('EVENTS');

@Controller()
class LocateController {
  constructor(
    @Inject(INSTANCE) private readonly instance: string,
    @Inject(EVENTS) private readonly events: unknown[],
  ) {}

  @MessagePattern(Endpoints.blobLocate.subject)
  locate(req: LocateBlobRequest): Promise<LocateBlobResponse> | Observable<LocateBlobResponse> {
    const answer: LocateBlobResponse = { digest: req.digest, sources: [{ kind: 'peer', nodeId: this.instance, url: 'http://10.0.0.7:5000' }] };
    switch (req.nodeId) {
      case 'observable':
        return of(answer);
      case 'boom':
        throw new Error(`cannot AUTH with ${SECRET}`);
      case 'bad-reply':
        return Promise.resolve({ digest: 'not-a-digest', sources: [] });
      case 'slow':
        return delay(SLOW_MS).then(() => answer);
    }
    if (req.digest === MISSING) throw new ProtocolError('NOT_FOUND', 'no node holds the blob');
    return Promise.resolve(answer);
  }

  // eslint-disable-next-line no-restricted-syntax -- test fixture; use registry-protocol's events wildcard once that contract settles
  @EventPattern('p2p.events.>')
  onEvent(event: unknown): void {
    if (JSON.stringify(event).includes('explode')) throw new Error('event handler failure');
    this.events.push(event);
  }
}

@Controller()
class StrayController {
  @MessagePattern('coord.lookup')
  lookup(): object {
    return {};
  }
}

@Module({})
class TestAppModule {
  static forRoot(nc: NatsConnection, instance: string, events: unknown[], stray: boolean): DynamicModule {
    return {
      module: TestAppModule,
      imports: [NatsTransportModule.forRoot({ connection: nc, config: Object.assign(new NatsConfig(), { requestTimeoutMs: 1000 }) })],
      controllers: stray ? [StrayController] : [LocateController],
      providers: [
        { provide: INSTANCE, useValue: instance },
        { provide: EVENTS, useValue: events },
      ],
    };
  }
}

/** Log lines captured from the transport, to check what reaches the log (and what does not). */
export class CapturingLogger implements NatsLogger {
  readonly lines: string[] = [];
  log(m: string): void {
    this.lines.push(m);
  }
  warn(m: string): void {
    this.lines.push(m);
  }
  error(m: string): void {
    this.lines.push(m);
  }
}

/** A running test app with its own connection, as one replica would run. */
export interface TestApp {
  app: INestMicroservice;
  transport: NatsServiceTransport;
  nc: NatsConnection;
  events: unknown[];
  logger: CapturingLogger;
  close(): Promise<void>;
}

/** Connects, builds and starts one replica; `listen()` errors propagate (after cleanup). */
export async function startTestApp(
  url: string,
  instance: string,
  opts: { stray?: boolean; transport?: Partial<NatsServiceOptions> } = {},
): Promise<TestApp> {
  const nc = await connectNats(Object.assign(new NatsConfig(), { servers: url }), { name: `test-${instance}`, logger: new CapturingLogger() });
  const logger = new CapturingLogger();
  const events: unknown[] = [];
  const transport = new NatsServiceTransport(nc, {
    service: ServiceNames.coordinator,
    version: '0.1.0',
    instanceId: instance,
    description: 'test coordinator',
    logger,
    ...opts.transport,
  });
  const app = await NestFactory.createMicroservice(TestAppModule.forRoot(nc, instance, events, opts.stray ?? false), {
    strategy: transport,
    logger: false,
  });
  const close = async () => {
    await app.close();
    if (!nc.isClosed()) await nc.close();
  };
  try {
    await app.listen();
  } catch (err) {
    await close();
    throw err;
  }
  return { app, transport, nc, events, logger, close };
}
