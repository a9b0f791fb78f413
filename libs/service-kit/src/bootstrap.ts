import 'reflect-metadata';
import { Module, type DynamicModule, type INestApplication, type Provider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NatsConnection } from 'nats';
import { exitOnConfigError, loadConfig, type ConfigShape, type LoadedConfig } from '@accelerboat/config';
import { createLogger, createMetricsRegistry, DependencyMetrics, PinoNestLogger, MetricsRegistry, RpcMetrics, type Logger } from '@accelerboat/observability';
import { connectNats, NatsHealth, NatsServiceTransport, NatsTransportModule, type NatsConfig, type NatsLogger } from '@accelerboat/nats-transport';
import { createRedis, isRedisReady, REDIS, type RedisConfig, type Redis } from '@accelerboat/redis-client';
import type { ServiceName } from '@accelerboat/registry-protocol';
import { HealthController } from './health.controller.js';
import { Readiness } from './readiness.js';
import { ServiceConfig } from './service.config.js';
import { LOGGER, SERVICE_IDENTITY, type ServiceIdentity } from './tokens.js';

/** The config every app has: its own service block and NATS; Redis where it keeps state. */
export type BaseShape = { service: typeof ServiceConfig; nats: typeof NatsConfig; redis?: typeof RedisConfig };

/** What an app's feature module is built from: validated config and the process's shared clients. */
export interface ServiceContext<S extends ConfigShape> {
  config: LoadedConfig<S>;
  identity: ServiceIdentity;
  logger: Logger;
  metrics: MetricsRegistry;
  nats: NatsConnection;
  redis?: Redis;
  readiness: Readiness;
}

export interface ServiceDefinition<S extends ConfigShape & BaseShape> {
  service: ServiceName;
  version: string;
  description: string;
  /** Config groups: each class owns its env keys. `redis` present means the app needs Redis. */
  config: S;
  /** Fills per-instance subject placeholders such as `{node}` or `{seeder}`. */
  subjectParams?: (config: LoadedConfig<S>) => Record<string, string>;
  /** The app's feature module; it can inject config classes, LOGGER, REDIS, MetricsRegistry. */
  module: (ctx: ServiceContext<S>) => DynamicModule | Promise<DynamicModule>;
}

export interface RunningService<S extends ConfigShape> {
  app: INestApplication;
  ctx: ServiceContext<S>;
  /** Base URL of the HTTP server, e.g. http://127.0.0.1:5080. */
  url: string;
  close(): Promise<void>;
}

@Module({})
class ServiceRootModule {}

/**
 * Starts one AccelerBoat app: validate config (exit 78 naming the bad keys), connect NATS (and
 * Redis), build the Nest app with health/readiness/metrics, register the app's NATS endpoints
 * as one NATS service, listen, and drain everything on SIGTERM/SIGINT.
 */
export async function bootstrapService<S extends ConfigShape & BaseShape>(
  def: ServiceDefinition<S>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningService<S>> {
  const config = exitOnConfigError(def.service, () => loadConfig(def.config, env));
  const svc = config.service as ServiceConfig;

  const identity: ServiceIdentity = { service: def.service, instanceId: svc.instanceId, version: def.version };
  const logger = createLogger(def.service, svc.logLevel).child({ instance: svc.instanceId });
  const metrics = createMetricsRegistry(def.service, svc.instanceId);
  const deps = new DependencyMetrics(metrics);
  const rpc = new RpcMetrics(metrics);
  const readiness = new Readiness();

  const natsLogger: NatsLogger = {
    log: (m) => logger.info({ context: 'nats' }, m),
    warn: (m) => logger.warn({ context: 'nats' }, m),
    error: (m) => logger.error({ context: 'nats' }, m),
  };
  const nc = await connectNats(config.nats as NatsConfig, { name: `${def.service}:${svc.instanceId}`, logger: natsLogger });
  const health = NatsHealth.of(nc);
  readiness.add({ name: 'nats', isReady: () => health.isReady() });
  let redis: Redis | undefined;
  if (def.config.redis) {
    redis = createRedis(config.redis as RedisConfig, `${def.service}:${svc.instanceId}`);
    redis.on('error', (e: Error) => logger.warn({ err: e.message }, 'redis error'));
    readiness.add({ name: 'redis', isReady: () => isRedisReady(redis!) });
  }
  const ctx: ServiceContext<S> = { config, identity, logger, metrics, nats: nc, redis, readiness };

  const shared: Provider[] = [
    // Each config group is injectable by its class; NatsConfig comes from NatsTransportModule.
    ...Object.entries(def.config)
      .filter(([group]) => group !== 'nats')
      .map(([group, cls]) => ({ provide: cls, useValue: (config as Record<string, object>)[group] })),
    { provide: ServiceConfig, useValue: svc },
    { provide: LOGGER, useValue: logger },
    { provide: MetricsRegistry, useValue: metrics },
    { provide: Readiness, useValue: readiness },
    { provide: SERVICE_IDENTITY, useValue: identity },
    ...(redis ? [{ provide: REDIS, useValue: redis }] : []),
  ];
  const root: DynamicModule = {
    module: ServiceRootModule,
    global: true,
    imports: [NatsTransportModule.forRoot({ connection: nc, config: config.nats as NatsConfig }), await def.module(ctx)],
    controllers: [HealthController],
    providers: shared,
    exports: shared.map((p) => (p as { provide: unknown }).provide as string),
  };

  // No body parser: apps that proxy (the edge-proxy's registry surface) need request bodies untouched.
  const app = await NestFactory.create(root, { logger: new PinoNestLogger(logger), bufferLogs: false, abortOnError: false, bodyParser: false });
  // Nothing in a response should advertise the framework.
  (app.getHttpAdapter().getInstance() as { disable?: (setting: string) => void }).disable?.('x-powered-by');
  app.connectMicroservice(
    {
      strategy: new NatsServiceTransport(nc, {
        service: def.service,
        version: def.version,
        description: def.description,
        instanceId: svc.instanceId,
        subjectParams: def.subjectParams?.(config) ?? {},
        logger: natsLogger,
        observe: (endpoint, outcome, seconds) => {
          rpc.requests.inc({ endpoint, outcome });
          rpc.duration.observe({ endpoint }, seconds);
        },
      }),
    },
    { inheritAppConfig: true },
  );
  await app.startAllMicroservices();
  await app.listen(svc.httpPort, svc.httpHost);
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://${svc.httpHost === '0.0.0.0' ? '127.0.0.1' : svc.httpHost}:${address.port}`;
  const timer = setInterval(() => {
    for (const [name, ok] of Object.entries(readiness.report().checks)) deps.up.set({ dependency: name }, ok ? 1 : 0);
  }, 2000).unref();
  logger.info({ url, version: def.version }, `${def.service} listening`);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      clearInterval(timer);
      await app.close(); // closes the NATS service transport, which drains the connection
      if (!nc.isClosed()) await nc.drain().catch(() => undefined);
      redis?.disconnect();
      logger.info('stopped');
    })());
  return { app, ctx, url, close };
}

/** Runs an app as a process: exits cleanly on SIGTERM/SIGINT, within the grace period. */
export async function runService<S extends ConfigShape & BaseShape>(def: ServiceDefinition<S>): Promise<void> {
  const running = await bootstrapService(def).catch((e: unknown) => {
    process.stderr.write(`${def.service}: failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
  const grace = (running.ctx.config.service as ServiceConfig).shutdownGraceMs;
  // A forgotten promise somewhere must not take a node's mirror down with it: log loudly, keep
  // serving. (An uncaught exception still ends the process: its state can't be trusted.)
  process.on('unhandledRejection', (reason) => {
    running.ctx.logger.error({ err: reason instanceof Error ? reason.message : String(reason) }, 'unhandled promise rejection');
  });
  const stop = (signal: string): void => {
    running.ctx.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), grace).unref();
    running.close().then(
      () => (clearTimeout(force), process.exit(0)),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
