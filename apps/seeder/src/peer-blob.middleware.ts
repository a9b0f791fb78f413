import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FsBlobStore } from '@accelerboat/blob-store';
import { createPeerBlobHandler } from '@accelerboat/peer-http';
import { SeederMetrics } from '@accelerboat/seeding';
import { SeederConfig } from './seeder.config.js';

/**
 * Mounts the peer blob endpoint (`GET|HEAD /blobs/<digest>`, cluster secret required) on the
 * app's HTTP server, serving verified blobs and downloads still in progress from the store.
 * Anything else passes on to Nest's routes (health, readiness, metrics).
 */
@Injectable()
export class PeerBlobMiddleware implements NestMiddleware {
  private readonly handle: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

  constructor(@Inject(FsBlobStore) store: FsBlobStore, @Inject(SeederConfig) cfg: SeederConfig, @Inject(SeederMetrics) metrics: SeederMetrics) {
    this.handle = createPeerBlobHandler({ sources: [{ store }], clusterSecret: cfg.clusterSecret, observe: (status, bytes) => metrics.peerServed(status, bytes) });
  }

  use(req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void {
    this.handle(req, res).then((owned) => owned || next(), next);
  }
}
