import { once } from 'node:events';
import type { BlobWriter } from '@accelerboat/blob-store';
import { pieceLength, type Piece } from './piece-plan.js';
import { classifyFailure, readPiece, type PieceBytes, type PieceSource } from './piece-source.js';
import type { SourceHealth } from './source-health.js';

/** What a piece download reports (BlobFetcher passes them on to its observe hook). */
export type PieceEvent = 'piece-retry' | 'source-blacklisted' | 'upstream-fallback';

/** Which bytes a piece turned out to be, and who served them. */
export interface PieceRecord {
  /** sha256 (hex) of the piece's bytes. */
  hash: string;
  /** The serving source's key (`upstream` for the registry). */
  source: string;
  nodeId?: string;
}

/** Options of one {@link PieceDownload}. */
export interface PieceDownloadOptions {
  digest: string;
  pieces: readonly Piece[];
  /** Peers and seeders, in the coordinator's order (it breaks ties between equally loaded ones). */
  sources: readonly PieceSource[];
  /** The last resort, for pieces no healthy source is left for. */
  upstream: PieceSource;
  health: SourceHealth;
  /** Pieces in flight, and how far past the write cursor fetching may run (the reorder window). */
  concurrency: number;
  /** Pieces in flight per source, the upstream included. */
  perSource: number;
  /** A piece with no bytes for this long is stalled. */
  stallMs: number;
  /** Failures of one piece at the upstream before the whole download gives up (default 3). */
  upstreamAttempts?: number;
  /**
   * A repair pass: what the failed pass received. Each piece then comes from a different source
   * than before; when the two disagree, the upstream's bytes are fetched and written instead.
   */
  previous?: readonly PieceRecord[];
  observe?: (event: PieceEvent, detail: Record<string, unknown>) => void;
}

interface Attempt {
  piece: Piece;
  source: PieceSource;
  bytes: number;
}

/**
 * One pass over a blob's pieces: fetched in parallel from several sources (the least loaded
 * healthy one first, a bounded number per source), written to the store writer strictly in order
 * as soon as the next piece is complete, so followers stream the blob while pieces land. Fetching
 * never runs more than `concurrency` pieces ahead of the write cursor, so the pieces held in
 * memory (in flight or waiting for their turn) never exceed concurrency × piece size.
 *
 * A failed, short or stalled piece is retried on another source and its source blacklisted
 * (process-wide, see SourceHealth); a source that does not hold the blob is only skipped here.
 * When no healthy source is left for a piece, it comes from the upstream.
 */
export class PieceDownload {
  /** Hash and source of every piece written, by piece index. */
  readonly records: PieceRecord[] = [];
  /** Repair pass: pieces whose bytes disagreed with the previous pass and were refetched upstream. */
  readonly disputed = new Map<number, PieceRecord>();
  /** Bytes written per source (node id, URL or `upstream`). */
  readonly bytesBySource = new Map<string, number>();
  private buffered = 0;
  private peak = 0;

  private readonly queue: number[];
  private readonly inFlight = new Map<number, Attempt>();
  private readonly load = new Map<string, number>();
  private readonly done = new Map<number, Buffer[]>();
  private readonly failedOn = new Map<number, Set<string>>();
  private readonly excluded = new Set<string>();
  private readonly upstreamFailures = new Map<number, number>();
  private readonly forceUpstream = new Set<number>();
  private readonly stop = new AbortController();
  private nextWrite = 0;
  private turn = 0;
  private wentUpstream = false;
  private fatal: Error | undefined;
  private wake: () => void = () => undefined;

  constructor(private readonly opts: PieceDownloadOptions) {
    this.queue = opts.pieces.map((p) => p.index);
  }

  /** Bytes of piece data held in memory right now (in flight, or complete and waiting to be written). */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** The most piece data ever held in memory at once; at most concurrency × piece size. */
  get peakBufferedBytes(): number {
    return this.peak;
  }

  /** Fetches every piece and writes it to `writer`, in order. Does not commit. */
  async run(writer: BlobWriter): Promise<void> {
    try {
      while (this.nextWrite < this.opts.pieces.length) {
        if (this.fatal) throw this.fatal;
        this.fill();
        const ready = this.done.get(this.nextWrite);
        if (ready) {
          this.done.delete(this.nextWrite);
          await writeInOrder(writer, ready);
          this.release(pieceLength(this.opts.pieces[this.nextWrite]!));
          this.nextWrite++;
          continue;
        }
        if (this.inFlight.size === 0) throw new Error('no source left to fetch pieces from');
        // Checked and awaited in one synchronous stretch, so no settle can slip between them.
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      this.stop.abort(new Error('piece download ended'));
    }
  }

  private fill(): void {
    for (const index of [...this.queue]) {
      if (this.fatal || this.inFlight.size >= this.opts.concurrency) return;
      // The window: nothing further than `concurrency` pieces past the write cursor (queue is sorted).
      if (index >= this.nextWrite + this.opts.concurrency) return;
      const source = this.pick(index);
      if (!source) continue;
      this.queue.splice(this.queue.indexOf(index), 1);
      this.start(this.opts.pieces[index]!, source);
    }
  }

  private pick(index: number): PieceSource | undefined {
    const { upstream, sources, perSource } = this.opts;
    const upstreamFree = (this.load.get(upstream.key) ?? 0) < perSource;
    if (this.forceUpstream.has(index)) return upstreamFree ? upstream : undefined;
    const avoid = this.opts.previous?.[index]?.source;
    const failed = this.failedOn.get(index);
    let best: number | undefined;
    let bestLoad = Infinity;
    let usable = false;
    for (let i = 0; i < sources.length; i++) {
      const at = (this.turn + i) % sources.length;
      const s = sources[at]!;
      if (s.key === avoid || failed?.has(s.key) || this.excluded.has(s.key) || !this.opts.health.isHealthy(s.key)) continue;
      usable = true;
      const load = this.load.get(s.key) ?? 0;
      if (load < perSource && load < bestLoad) [best, bestLoad] = [at, load];
    }
    if (best !== undefined) {
      // Equally loaded sources take turns.
      this.turn = (best + 1) % sources.length;
      return sources[best];
    }
    // Busy but healthy sources are waited for: the registry is only the last resort.
    if (usable) return undefined;
    return upstreamFree ? upstream : undefined;
  }

  private start(piece: Piece, source: PieceSource): void {
    const attempt: Attempt = { piece, source, bytes: 0 };
    this.inFlight.set(piece.index, attempt);
    this.load.set(source.key, (this.load.get(source.key) ?? 0) + 1);
    if (source === this.opts.upstream && !this.wentUpstream) {
      this.wentUpstream = true;
      this.opts.observe?.('upstream-fallback', { digest: this.opts.digest, piece: piece.index, from: piece.start });
    }
    const onBytes = (n: number): void => {
      attempt.bytes += n;
      this.hold(n);
    };
    readPiece(source, piece, this.stop.signal, this.opts.stallMs, onBytes).then(
      (bytes) => this.settle(attempt, bytes),
      (err: unknown) => this.settle(attempt, undefined, err),
    );
  }

  private settle(attempt: Attempt, bytes: PieceBytes | undefined, err?: unknown): void {
    this.inFlight.delete(attempt.piece.index);
    this.load.set(attempt.source.key, (this.load.get(attempt.source.key) ?? 1) - 1);
    if (this.stop.signal.aborted) return void this.release(attempt.bytes);
    if (bytes) this.completed(attempt, bytes);
    else this.failed(attempt, err);
    this.fill();
    this.wake();
  }

  private completed({ piece, source, bytes }: Attempt, got: PieceBytes): void {
    const record: PieceRecord = { hash: got.hash, source: source.key, ...(source.nodeId ? { nodeId: source.nodeId } : {}) };
    const previous = this.opts.previous?.[piece.index];
    if (previous && source !== this.opts.upstream && got.hash !== previous.hash) {
      // Two sources disagree and nothing says which is right: the upstream's bytes decide.
      this.disputed.set(piece.index, record);
      this.release(bytes);
      this.forceUpstream.add(piece.index);
      this.enqueue(piece.index);
      return;
    }
    if (source === this.opts.upstream) {
      // Whoever disagrees with the upstream serves no more pieces of this blob; whether they are
      // reported as corrupt is decided against the verified blob, after the commit.
      for (const other of [previous, this.disputed.get(piece.index)]) {
        if (other && other.hash !== got.hash) this.excluded.add(other.source);
      }
    }
    this.records[piece.index] = record;
    this.done.set(piece.index, got.chunks);
    const label = source.nodeId ?? source.key;
    this.bytesBySource.set(label, (this.bytesBySource.get(label) ?? 0) + bytes);
  }

  private failed({ piece, source, bytes }: Attempt, err: unknown): void {
    this.release(bytes);
    const kind = classifyFailure(err);
    const message = (err as Error).message;
    if (source === this.opts.upstream) {
      const n = (this.upstreamFailures.get(piece.index) ?? 0) + 1;
      this.upstreamFailures.set(piece.index, n);
      if (n >= (this.opts.upstreamAttempts ?? 3)) {
        this.fatal = new Error(`piece ${piece.index} failed ${n} times at the upstream: ${message}`);
        return;
      }
    } else {
      const failed = this.failedOn.get(piece.index) ?? new Set<string>();
      this.failedOn.set(piece.index, failed.add(source.key));
      if (kind === 'missing') this.excluded.add(source.key);
      else if (this.opts.health.blacklist(source.key, kind)) {
        this.opts.observe?.('source-blacklisted', { digest: this.opts.digest, source: source.nodeId, url: source.key, reason: kind, err: message, ms: this.opts.health.blacklistMs });
      }
    }
    this.opts.observe?.('piece-retry', { digest: this.opts.digest, piece: piece.index, source: source.nodeId ?? source.key, reason: kind, err: message });
    this.enqueue(piece.index);
  }

  private enqueue(index: number): void {
    const at = this.queue.findIndex((i) => i > index);
    this.queue.splice(at === -1 ? this.queue.length : at, 0, index);
  }

  private hold(n: number): void {
    this.buffered += n;
    this.peak = Math.max(this.peak, this.buffered);
  }

  private release(n: number): void {
    this.buffered -= n;
  }
}

// Hands a piece to the writer chunk by chunk, waiting whenever its buffer is full.
async function writeInOrder(writer: BlobWriter, chunks: Buffer[]): Promise<void> {
  for (const chunk of chunks) {
    if (writer.destroyed) throw writer.failure ?? new Error('blob writer closed');
    if (!writer.write(chunk)) await once(writer, 'drain');
  }
}
