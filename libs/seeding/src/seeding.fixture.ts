// In-memory fakes of the seeding ports for unit tests, and small fixtures. Not exported from the index.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { FsBlobStore } from '@accelerboat/blob-store';
import { ProtocolError, type AnnounceLayersRequest, type AssignJobRequest, type CompleteJobRequest, type FailJobRequest, type ReportJobProgressRequest, type WithdrawLayersRequest } from '@accelerboat/registry-protocol';
import type { BlobSource, JobReporter, LayerAnnouncer, SeedingLogger, UpstreamBody } from './ports.js';

/** Random bytes and their digest. */
export function blobFixture(size: number): { bytes: Buffer; digest: string } {
  const bytes = randomBytes(size);
  return { bytes, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}` };
}

/** A store in a fresh temp dir; `remove()` closes it and deletes the dir. */
export async function tempStore(maxBytes = 1 << 30): Promise<{ store: FsBlobStore; remove(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'seeding-'));
  const store = await FsBlobStore.open(dir, { maxBytes, highWatermark: 0.9, lowWatermark: 0.8 });
  return {
    store,
    async remove() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An assignment for `digest` with the fields every test needs. */
export function jobFixture(digest: string, over: Partial<AssignJobRequest> = {}): AssignJobRequest {
  return { jobId: `job-${randomBytes(4).toString('hex')}`, digest, registry: 'registry.example', repository: 'team/app', ...over };
}

/** How the fake upstream answers one digest. */
export interface FakeBlob {
  bytes: Buffer;
  /** Size the upstream announces (default the real length). */
  announced?: number;
  /** Bytes sent at once; the rest waits for `release(digest)` (default: everything). */
  sendFirst?: number;
}

/** An upstream held in memory: serves registered blobs, counts opens, can hold a body back. */
export class FakeSource implements BlobSource {
  /** Every open, in order. */
  readonly opens: Pick<AssignJobRequest, 'registry' | 'repository' | 'digest' | 'authorization'>[] = [];
  private readonly blobs = new Map<string, FakeBlob>();
  private readonly held = new Map<string, () => void>();

  constructor(private readonly registries: string[] = ['registry.example']) {}

  /** Serves `blob` under `digest`. */
  add(digest: string, blob: FakeBlob): this {
    this.blobs.set(digest, blob);
    return this;
  }

  /** Sends the held-back rest of a body. */
  release(digest: string): void {
    this.held.get(digest)?.();
    this.held.delete(digest);
  }

  serves(registry: string): boolean {
    return this.registries.includes(registry);
  }

  async open(job: Pick<AssignJobRequest, 'registry' | 'repository' | 'digest' | 'authorization'>): Promise<UpstreamBody> {
    this.opens.push({ ...job });
    const blob = this.blobs.get(job.digest);
    // Like a careless upstream that echoes what it was sent: the runner must mask it.
    if (!blob) throw new ProtocolError('NOT_FOUND', `upstream answered HTTP 404: BLOB_UNKNOWN (sent ${job.authorization ?? 'nothing'})`);
    const stream = new PassThrough();
    const first = blob.sendFirst ?? blob.bytes.length;
    stream.write(blob.bytes.subarray(0, first));
    const rest = (): void => void stream.end(blob.bytes.subarray(first));
    if (first < blob.bytes.length) this.held.set(job.digest, rest);
    else rest();
    return { stream, size: blob.announced ?? blob.bytes.length };
  }
}

/** Records every report and announcement; `down = true` makes every call fail like NATS away. */
export class RecordingControlPlane implements JobReporter, LayerAnnouncer {
  readonly progress: ReportJobProgressRequest[] = [];
  readonly completed: CompleteJobRequest[] = [];
  readonly failed: FailJobRequest[] = [];
  readonly announced: AnnounceLayersRequest[] = [];
  readonly withdrawn: WithdrawLayersRequest[] = [];
  /** Calls in the order they arrived, as `kind:jobId-or-node`. */
  readonly order: string[] = [];
  down = false;

  reportProgress(req: ReportJobProgressRequest): Promise<unknown> {
    return this.record(this.progress, req, `progress:${req.jobId}`);
  }

  completeJob(req: CompleteJobRequest): Promise<unknown> {
    return this.record(this.completed, req, `complete:${req.jobId}`);
  }

  failJob(req: FailJobRequest): Promise<unknown> {
    return this.record(this.failed, req, `fail:${req.jobId}`);
  }

  announce(req: AnnounceLayersRequest): Promise<unknown> {
    return this.record(this.announced, req, `announce:${req.entries.map((e) => e.digest).join(',')}`);
  }

  withdraw(req: WithdrawLayersRequest): Promise<unknown> {
    return this.record(this.withdrawn, req, `withdraw:${req.digests.length}`);
  }

  private async record<T>(list: T[], req: T, tag: string): Promise<unknown> {
    if (this.down) throw new ProtocolError('UNAVAILABLE', 'no responders');
    list.push(req);
    this.order.push(tag);
    return { ok: true };
  }
}

/** A logger that keeps its lines, to assert on what was (not) logged. */
export class MemoryLogger implements SeedingLogger {
  readonly lines: { level: 'info' | 'warn'; obj: object; msg: string }[] = [];

  info(obj: object, msg: string): void {
    this.lines.push({ level: 'info', obj, msg });
  }

  warn(obj: object, msg: string): void {
    this.lines.push({ level: 'warn', obj, msg });
  }

  /** Every line as one string, for "does not contain" checks. */
  text(): string {
    return this.lines.map((l) => `${l.msg} ${JSON.stringify(l.obj)}`).join('\n');
  }
}

/** Polls `check` until it holds or `ms` pass. */
export async function until(what: string, check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
