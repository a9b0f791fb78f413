import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CoordinatorClient } from '@accelerboat/coordination';
import { LOGGER, ServiceConfig, type ServiceIdentity, SERVICE_IDENTITY } from '@accelerboat/service-kit';
import type { Logger } from '@accelerboat/observability';
import { SeederConfig } from './seeder.config.js';

/**
 * Reports this seeder's load to the coordinator on a fixed interval. The coordinator treats a
 * seeder that stops beating as dead, so missing beats are logged but never fatal.
 */
@Injectable()
export class HeartbeatService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private failing = false;

  constructor(
    @Inject(CoordinatorClient) private readonly coordinator: CoordinatorClient,
    @Inject(SeederConfig) private readonly cfg: SeederConfig,
    @Inject(ServiceConfig) private readonly service: ServiceConfig,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.beat(), this.cfg.heartbeatIntervalMs);
    this.timer.unref();
    void this.beat();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async beat(): Promise<void> {
    try {
      await this.coordinator.heartbeat({
        seederId: this.service.instanceId,
        url: this.cfg.publicUrl ?? `http://127.0.0.1:${this.service.httpPort}`,
        activeJobs: 0,
        maxJobs: this.cfg.maxJobs,
        load: 0,
        version: this.identity.version,
      });
      if (this.failing) this.logger.info('heartbeat delivered again');
      this.failing = false;
    } catch (e) {
      if (!this.failing) this.logger.warn({ err: (e as Error).message }, 'heartbeat not delivered; will keep trying');
      this.failing = true;
    }
  }
}
