// Integration-test helpers: a stand-in coordinator and layer-indexer on a real NATS, and a source
// wrapper that holds a real upstream body back. Not exported from the package index.
import { Transform, type TransformCallback } from 'node:stream';
import { StringCodec, type NatsConnection, type Subscription } from 'nats';
import {
  Endpoints,
  type AnnounceLayersRequest,
  type CompleteJobRequest,
  type FailJobRequest,
  type ReportJobProgressRequest,
  type WithdrawLayersRequest,
} from '@accelerboat/registry-protocol';
import type { BlobSource, UpstreamBody } from './ports.js';

const sc = StringCodec();

/**
 * Answers the endpoints a seeder calls (job progress/complete/fail, layer announce/withdraw) on a
 * real NATS, recording each request, as the coordinator and the layer-indexer would.
 */
export class RecordingResponders {
  readonly progress: ReportJobProgressRequest[] = [];
  readonly completed: CompleteJobRequest[] = [];
  readonly failed: FailJobRequest[] = [];
  readonly announced: AnnounceLayersRequest[] = [];
  readonly withdrawn: WithdrawLayersRequest[] = [];
  private readonly subs: Subscription[] = [];

  constructor(nc: NatsConnection) {
    const ack = (): object => ({ ok: true });
    this.answer(nc, Endpoints.jobProgress.subject, this.progress, ack);
    this.answer(nc, Endpoints.jobComplete.subject, this.completed, ack);
    this.answer(nc, Endpoints.jobFail.subject, this.failed, ack);
    this.answer(nc, Endpoints.layerAnnounce.subject, this.announced, (r) => ({ accepted: r.entries.length }));
    this.answer(nc, Endpoints.layerWithdraw.subject, this.withdrawn, (r) => ({ removed: r.digests.length }));
  }

  /** Forgets what was recorded (between tests). */
  clear(): void {
    for (const list of [this.progress, this.completed, this.failed, this.announced, this.withdrawn]) list.length = 0;
  }

  /** Stops answering. */
  close(): void {
    for (const s of this.subs) s.unsubscribe();
  }

  private answer<T>(nc: NatsConnection, subject: string, into: T[], reply: (req: T) => object): void {
    this.subs.push(
      nc.subscribe(subject, {
        callback: (_err, msg) => {
          const req = JSON.parse(sc.decode(msg.data)) as T;
          into.push(req);
          msg.respond(sc.encode(JSON.stringify(reply(req))));
        },
      }),
    );
  }
}

/**
 * Wraps a real source and holds each body back after its first `holdAfter` bytes until
 * `release()`, so a test can act while a download is surely in progress.
 */
export class GatedSource implements BlobSource {
  private gate: Promise<void>;
  private open_!: () => void;

  constructor(
    private readonly inner: BlobSource,
    private readonly holdAfter: number,
  ) {
    this.gate = this.close();
  }

  /** Lets every held body flow. */
  release(): void {
    this.open_();
  }

  /** Holds bodies again (for the next test). */
  close(): Promise<void> {
    this.gate = new Promise<void>((r) => (this.open_ = r));
    return this.gate;
  }

  serves(registry: string): boolean {
    return this.inner.serves(registry);
  }

  async open(job: Parameters<BlobSource['open']>[0]): Promise<UpstreamBody> {
    const body = await this.inner.open(job);
    let passed = 0;
    const gate = this.gate;
    const holdAfter = this.holdAfter;
    const held = new Transform({
      transform(chunk: Buffer, _enc, cb: TransformCallback) {
        const free = Math.max(0, holdAfter - passed);
        passed += chunk.length;
        if (chunk.length <= free) return cb(null, chunk);
        if (free > 0) this.push(chunk.subarray(0, free));
        void gate.then(() => cb(null, chunk.subarray(free)));
      },
    });
    body.stream.on('error', (e) => held.destroy(e));
    held.on('close', () => body.stream.destroy());
    return { stream: body.stream.pipe(held), ...(body.size !== undefined ? { size: body.size } : {}) };
  }
}
