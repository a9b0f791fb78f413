import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { FsBlobStore } from '@accelerboat/blob-store';
import { JobRunner, StoreAnnouncer } from '@accelerboat/seeding';

/**
 * Starts the store's announcements once the app is up, and stops in the order that loses the
 * least: refuse new jobs and give running ones back to the coordinator while NATS is still
 * connected, then stop announcing, then close the store (which aborts any writer left).
 */
@Injectable()
export class SeederLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    @Inject(JobRunner) private readonly runner: JobRunner,
    @Inject(StoreAnnouncer) private readonly announcer: StoreAnnouncer,
    @Inject(FsBlobStore) private readonly store: FsBlobStore,
  ) {}

  onApplicationBootstrap(): void {
    this.announcer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.close();
    await this.announcer.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
