import { Controller, Get, Header, HttpCode, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { MetricsRegistry } from '@accelerboat/observability';
import { Readiness } from './readiness.js';
import { SERVICE_IDENTITY, type ServiceIdentity } from './tokens.js';

/** Liveness, readiness and Prometheus metrics: the same three endpoints on every app. */
@Controller()
export class HealthController {
  constructor(
    @Inject(Readiness) private readonly readiness: Readiness,
    @Inject(MetricsRegistry) private readonly metrics: MetricsRegistry,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
  ) {}

  /** Alive as long as the event loop answers; dependencies do not matter here. */
  @Get('healthz')
  @HttpCode(200)
  healthz(): { status: 'ok'; service: string; instance: string; version: string } {
    return { status: 'ok', service: this.identity.service, instance: this.identity.instanceId, version: this.identity.version };
  }

  /** 503 while NATS (or Redis, where the app uses it) is unreachable, so traffic moves elsewhere. */
  @Get('readyz')
  readyz(@Res() res: Response): void {
    const report = this.readiness.report();
    res.status(report.ready ? 200 : 503).json(report);
  }

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async scrape(@Res() res: Response): Promise<void> {
    res.setHeader('Content-Type', this.metrics.contentType);
    res.send(await this.metrics.metrics());
  }
}
