import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CoordinatorClient } from '@accelerboat/coordination';
import type { Logger } from '@accelerboat/observability';
import { LOGGER } from '@accelerboat/service-kit';
import { SeederConfig } from './seeder.config.js';
import { HEARTBEAT_REPORT, type HeartbeatReport } from './seeder.providers.js';

/**
 * Reports this seeder's load (running downloads, capacity, bytes served) to the coordinator on
 * a fixed interval. The coordinator treats a seeder that stops beating as dead, so missing beats
 * are logged but never fatal.
 */
@Injectable()
export class HeartbeatService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private failing = false;

  constructor(
    @Inject(CoordinatorClient) private readonly coordinator: CoordinatorClient,
    @Inject(HEARTBEAT_REPORT) private readonly report: HeartbeatReport,
    @Inject(SeederConfig) private readonly cfg: SeederConfig,
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
      await this.coordinator.heartbeat(this.report());
      if (this.failing) this.logger.info('heartbeat delivered again');
      this.failing = false;
    } catch (e) {
      if (!this.failing) this.logger.warn({ err: (e as Error).message }, 'heartbeat not delivered; will keep trying');
      this.failing = true;
    }
  }
}
