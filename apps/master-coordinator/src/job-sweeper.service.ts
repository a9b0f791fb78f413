import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { JobScheduler } from '@accelerboat/coordination';
import type { Logger } from '@accelerboat/observability';
import { LOGGER } from '@accelerboat/service-kit';
import { CoordinatorConfig } from './master-coordinator.config.js';

/**
 * Runs JobScheduler.sweep on every replica every JOB_SWEEP_INTERVAL_MS; a Redis lock lets one of
 * them do the work per period. A failing sweep (Redis away) is logged once and retried.
 */
@Injectable()
export class JobSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running = false;
  private failing = false;

  constructor(
    @Inject(JobScheduler) private readonly jobs: JobScheduler,
    @Inject(CoordinatorConfig) private readonly cfg: CoordinatorConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.cfg.jobSweepIntervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async tick(): Promise<void> {
    // A sweep slower than the interval must not overlap with the next one in this process.
    if (this.running) return;
    this.running = true;
    try {
      const r = await this.jobs.sweep();
      if (r.reassigned || r.failed) this.logger.info(r, 'swept jobs of dead or stuck seeders');
      if (this.failing) this.logger.info('job sweep works again');
      this.failing = false;
    } catch (e) {
      if (!this.failing) this.logger.warn({ err: (e as Error).message }, 'job sweep failed; will retry');
      this.failing = true;
    } finally {
      this.running = false;
    }
  }
}
