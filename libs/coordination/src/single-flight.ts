/** How one converged call behaves. */
export interface SingleFlightOptions<T = unknown> {
  /**
   * How long a successful result is reused by later callers of the same key. With `resultTtlOf`
   * it is the shortest life a result gets, which paces the waiters' polling.
   */
  resultTtlMs: number;
  /**
   * The life of this particular result, for results that know it themselves (a token lives as
   * long as the registry says, a denial shorter than an approval). 0 shares it with the callers
   * waiting at that moment only. Without it, every result lives `resultTtlMs`.
   */
  resultTtlOf?: (value: T) => number;
  /** How long the owner's lock lives without renewal; bounds the wait after an owner died. */
  lockTtlMs: number;
  /** Longest a caller waits for another owner before running the work itself. */
  waitMs: number;
}

/**
 * Runs the same work once for everyone asking at the same time. Implementations never turn
 * convergence into a failure: when they cannot converge (store down, owner too slow) the caller
 * runs `fn` itself. Results cross process boundaries as JSON, so `T` must be plain data.
 */
export interface SingleFlight {
  /**
   * The result of `fn` for `key`, computed once by one caller and shared with the others.
   * `key` must already be free of secrets (fingerprint credentials before building it).
   */
  run<T>(key: string, options: SingleFlightOptions<T>, fn: () => Promise<T>): Promise<T>;
}

/**
 * Converges calls inside this process: concurrent callers of one key share one promise, and only
 * that one goes on to `next` (the cross-replica layer) or runs `fn`. It saves the shared store a
 * round trip per duplicate and keeps one process from polling against itself.
 */
export class InProcessSingleFlight implements SingleFlight {
  private readonly flights = new Map<string, Promise<unknown>>();

  constructor(private readonly next?: SingleFlight) {}

  run<T>(key: string, options: SingleFlightOptions<T>, fn: () => Promise<T>): Promise<T> {
    const running = this.flights.get(key);
    if (running) return running as Promise<T>;
    const flight = (this.next ? this.next.run(key, options, fn) : fn()).finally(() => this.flights.delete(key));
    this.flights.set(key, flight);
    return flight;
  }

  /** Keys in flight right now (for tests and metrics). */
  get inFlight(): number {
    return this.flights.size;
  }
}
