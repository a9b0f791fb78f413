/** What a ticker needs to know and do on each tick. */
export interface ProgressTickerOptions {
  /** Time between ticks, in milliseconds. */
  intervalMs: number;
  /** Bytes so far, and the total when known. */
  read(): { bytes: number; total?: number };
  /** Called when the bytes changed since the last report. */
  report(bytes: number, total: number | undefined): void;
  /** Without progress for this long, `onIdle` fires (on every tick until stopped). */
  idleMs?: number;
  /** The download is stuck: no new bytes for `idleMs`. */
  onIdle?(idleMs: number): void;
  /** Clock in milliseconds; injectable for tests. */
  now?: () => number;
}

/**
 * Reports a download's progress at most once per interval, and only when it moved. The same
 * tick watches for stalls: a body that stops flowing without an error (a half-dead connection)
 * would otherwise hold a job slot forever, since response timeouts only cover the headers.
 */
export class ProgressTicker {
  private timer: NodeJS.Timeout | undefined;
  private lastBytes = -1;
  private lastChange: number;
  private readonly now: () => number;

  constructor(private readonly opts: ProgressTickerOptions) {
    this.now = opts.now ?? Date.now;
    this.lastChange = this.now();
  }

  /** Starts ticking until stopped (a running download keeps the process alive anyway). */
  start(): void {
    this.timer ??= setInterval(() => this.tick(), this.opts.intervalMs);
  }

  /** Stops ticking; safe to call more than once. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One tick: report if the bytes moved, else check for a stall. */
  tick(): void {
    const { bytes, total } = this.opts.read();
    const t = this.now();
    if (bytes !== this.lastBytes) {
      this.lastBytes = bytes;
      this.lastChange = t;
      this.opts.report(bytes, total);
      return;
    }
    const idle = t - this.lastChange;
    if (this.opts.idleMs !== undefined && idle >= this.opts.idleMs) this.opts.onIdle?.(idle);
  }
}
