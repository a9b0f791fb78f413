import cliProgress from 'cli-progress';
import { formatBytes, percent, shortDigest } from './format.js';
import type { Io } from './io.js';

/** Where one blob of a preload stands. */
export interface BlobProgress {
  digest: string;
  kind: string;
  /** `held`, `unassigned`, a job status, or `gone` when the job record vanished. */
  status: string;
  bytes: number;
  total: number;
}

/** Shows the progress of a preload; told the full state at every poll. */
export interface ProgressView {
  update(blobs: readonly BlobProgress[]): void;
  stop(): void;
}

/** The line of one blob: kind, digest, status and bytes. */
export function progressLine(b: BlobProgress): string {
  const pct = percent(b.bytes, b.total);
  return `${b.kind.padEnd(6)} ${shortDigest(b.digest)} ${b.status.padEnd(10)} ${formatBytes(b.bytes)}/${formatBytes(b.total)}${pct === undefined ? '' : ` ${pct}%`}`;
}

/** Picks bars on a terminal, lines otherwise, nothing for `--json`. */
export function progressView(io: Io, json: boolean): ProgressView {
  if (json) return { update: () => undefined, stop: () => undefined };
  return io.isTTY ? new BarsView(io) : new LinesView(io);
}

/**
 * Progress for logs and pipes: a line when a blob's status changes or its download crosses
 * another quarter, so a CI log shows movement without a line per poll.
 */
export class LinesView implements ProgressView {
  private readonly last = new Map<string, string>();

  constructor(private readonly io: Pick<Io, 'out'>) {}

  update(blobs: readonly BlobProgress[]): void {
    for (const b of blobs) {
      const step = `${b.status}:${Math.floor((percent(b.bytes, b.total) ?? 0) / 25)}`;
      if (this.last.get(b.digest) === step) continue;
      this.last.set(b.digest, step);
      this.io.out(progressLine(b));
    }
  }

  stop(): void {}
}

/**
 * One bar per blob on a terminal (cli-progress), redrawn in place. Lines stay under 80 columns
 * (the bar library cuts longer ones at the terminal's width): the bar and percentage show the
 * progress, the size column the blob's size.
 */
export class BarsView implements ProgressView {
  private readonly multi: cliProgress.MultiBar;
  private readonly bars = new Map<string, cliProgress.SingleBar>();

  constructor(io: Pick<Io, 'stream'>) {
    this.multi = new cliProgress.MultiBar(
      { stream: io.stream, format: '{kind} {digest} [{bar}] {percentage}% {status} {size}', hideCursor: true, clearOnComplete: false, barsize: 16, autopadding: true },
      cliProgress.Presets.shades_classic,
    );
  }

  update(blobs: readonly BlobProgress[]): void {
    for (const b of blobs) {
      const payload = { kind: b.kind.padEnd(6), digest: shortDigest(b.digest), status: b.status.padEnd(10), size: formatBytes(b.total) };
      // An empty blob is done at 0 of 0 bytes; the bar library wants a total above zero.
      const total = Math.max(1, b.total);
      const value = b.total === 0 && (b.status === 'completed' || b.status === 'held') ? 1 : Math.min(b.bytes, total);
      const bar = this.bars.get(b.digest);
      if (bar) {
        bar.setTotal(total);
        bar.update(value, payload);
      } else this.bars.set(b.digest, this.multi.create(total, value, payload));
    }
  }

  stop(): void {
    this.multi.stop();
  }
}
