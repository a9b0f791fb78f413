import { EventEmitter } from 'node:events';
import { Server, type CustomTransportStrategy, type MessageHandler, type NatsContext } from '@nestjs/microservices';
import type { Msg, NatsConnection, Service, ServiceMsg, Subscription } from 'nats';
import { lastValueFrom } from 'rxjs';
import type { ServiceName } from '@accelerboat/registry-protocol';
import { answerRequest, deliverEvent, type RequestObserver } from './answer.js';
import { defaultLogger, describeError, type NatsLogger } from './logger.js';
import { resolveRoutes, type EventRoute, type RequestRoute } from './routes.js';

/** How one app presents itself as a NATS service. */
export interface NatsServiceOptions {
  /** The service name from `ServiceNames`; also the queue group, so replicas share requests. */
  service: ServiceName;
  /** Semantic version shown by `nats micro ls`. */
  version: string;
  /** This replica's identity (pod or node name), published as metadata `instance`. */
  instanceId: string;
  /** Shown by `nats micro info`. */
  description?: string;
  /** Extra service metadata (string values only, as the services API requires). */
  metadata?: Record<string, string>;
  /** Values for subject placeholders such as `{node}` or `{seeder}`. */
  subjectParams?: Record<string, string>;
  /** Queue group override; defaults to the service name. */
  queue?: string;
  /** How long close() waits for in-flight handlers before draining anyway (default 10 s). */
  drainTimeoutMs?: number;
  /** Where handler failures are logged; Nest's Logger by default. */
  logger?: NatsLogger;
  /** Called once per answered request, for metrics. */
  observe?: RequestObserver;
}

/** Status values this transport emits on `status` (Nest 11 transport status). */
export type NatsServiceStatus = 'listening' | 'closed';

/**
 * Nest transport strategy that registers the app's `@MessagePattern` handlers as endpoints of
 * one NATS micro service (visible to `$SRV.PING/INFO/STATS`) and its `@EventPattern` handlers
 * as plain subscriptions. Payloads are plain JSON DTOs, errors travel as service error headers.
 */
export class NatsServiceTransport extends Server<Record<string, (...args: unknown[]) => void>, NatsServiceStatus> implements CustomTransportStrategy {
  private readonly log: NatsLogger;
  private readonly emitter = new EventEmitter();
  private readonly eventSubs: Subscription[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private service?: Service;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: NatsServiceOptions,
  ) {
    super();
    this.log = defaultLogger(`NatsService:${options.service}`, options.logger);
  }

  /** Registers the service and its endpoints; calls back with an error on any wiring mistake. */
  async listen(callback: (...optionalParams: unknown[]) => void): Promise<void> {
    try {
      await this.start();
    } catch (err) {
      callback(err);
      return;
    }
    this._status$.next('listening');
    callback();
  }

  /** Stops taking requests, waits for in-flight handlers, then drains the connection. */
  async close(): Promise<void> {
    const service = this.service;
    this.service = undefined;
    await Promise.allSettled([service?.stop(), ...this.eventSubs.map((s) => s.drain())]);
    this.eventSubs.length = 0;
    await this.settleInFlight();
    if (!this.nc.isClosed() && !this.nc.isDraining()) {
      await this.nc.drain().catch((err: unknown) => this.log.warn(`NATS drain failed: ${describeError(err)}`));
    }
    this._status$.next('closed');
    this.emitter.emit('closed');
  }

  /** Subscribes to transport events (`closed`). */
  on(event: string, callback: (...args: unknown[]) => void): void {
    this.emitter.on(event, callback);
  }

  /** The underlying NATS connection. */
  unwrap<T>(): T {
    return this.nc as T;
  }

  /** The registered NATS micro services (one per transport), for tests and diagnostics. */
  services(): Service[] {
    return this.service ? [this.service] : [];
  }

  private async start(): Promise<void> {
    const { service, version, instanceId, description, metadata, subjectParams, queue } = this.options;
    // Resolve every route first: a wiring mistake must fail before anything is subscribed.
    const routes = resolveRoutes(this.messageHandlers, service, subjectParams);
    const group = queue ?? service;
    const srv = await this.nc.services.add({
      name: service,
      version,
      description: description ?? '',
      metadata: { ...metadata, instance: instanceId },
      queue: group,
    });
    this.service = srv;
    // The services API stops a service by itself when a subscription fails (e.g. a permissions
    // violation); that must be visible, since the replica then silently stops serving.
    void srv.stopped.then((err) => {
      if (err) this.log.error(`NATS service ${service} stopped: ${err.message}`);
    });
    for (const route of routes.requests) {
      srv.addEndpoint(route.def.name, {
        subject: route.subject,
        queue: group,
        metadata: { description: route.def.description },
        handler: (err, msg) => this.onRequest(route, err, msg),
      });
    }
    for (const route of routes.events) {
      this.eventSubs.push(
        this.nc.subscribe(route.subject, {
          ...(route.queue ? { queue: route.queue } : {}),
          callback: (err, msg) => this.onEvent(route, err, msg),
        }),
      );
    }
    // SUBs are buffered; a PING/PONG round trip makes sure the server has them, so that once
    // listen() resolves (and readiness says yes) a request cannot meet "no responders".
    await this.nc.flush();
    this.log.log(
      `NATS service ${service} ${version} (${instanceId}) serves ${routes.requests.map((r) => r.subject).join(', ') || 'no endpoints'}` +
        (routes.events.length ? `; events ${routes.events.map((r) => r.subject).join(', ')}` : ''),
    );
  }

  private onRequest(route: RequestRoute, err: Error | null, msg: ServiceMsg): void {
    if (err) {
      this.log.error(`endpoint ${route.def.name} subscription failed: ${err.message}`);
      return;
    }
    this.track(answerRequest(route, msg, this.invoke, this.log, this.options.observe));
  }

  private onEvent(route: EventRoute, err: Error | null, msg: Msg): void {
    if (err) {
      this.log.error(`event subscription ${route.subject} failed: ${err.message}`);
      return;
    }
    this.track(deliverEvent(route, msg, this.invoke, this.log));
  }

  // Nest handlers may return a value, a Promise or an Observable; request/reply takes the last value.
  private readonly invoke = async (handler: MessageHandler, data: unknown, ctx: NatsContext): Promise<unknown> => {
    const result: unknown = await handler(data, ctx);
    return lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
  };

  // Handlers are async while NATS callbacks are not: keep each promise so close() can wait for it,
  // and catch here so that nothing a handler does can surface as an unhandled rejection.
  private track(work: Promise<void>): void {
    const guarded = work.catch((err: unknown) => this.log.error(`unexpected failure while answering: ${describeError(err)}`));
    this.inFlight.add(guarded);
    void guarded.finally(() => this.inFlight.delete(guarded));
  }

  private async settleInFlight(): Promise<void> {
    if (this.inFlight.size === 0) return;
    const timeoutMs = this.options.drainTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([Promise.allSettled([...this.inFlight]), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') this.log.warn(`closing with ${this.inFlight.size} request(s) still running after ${timeoutMs} ms`);
  }
}
