import type { Clock } from './clock.js';

interface Timer {
  at: number;
  resolve: () => void;
}

/** Lets every promise chain that is ready run before time moves on. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}

/**
 * A clock that only moves when told to. `advance` fires due sleeps in time order and lets the
 * code they wake run before moving further, so TTL and backoff logic can be tested without
 * waiting and without races.
 */
export class ManualClock implements Clock {
  private timers: Timer[] = [];

  constructor(private t = 1_000_000) {}

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const abort = (): void => {
        this.timers = this.timers.filter((x) => x !== timer);
        reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
      };
      const timer: Timer = {
        at: this.t + Math.max(0, ms),
        resolve: () => {
          signal?.removeEventListener('abort', abort);
          resolve();
        },
      };
      if (signal?.aborted) return abort();
      signal?.addEventListener('abort', abort, { once: true });
      this.timers.push(timer);
    });
  }

  /** Moves time forward by `ms`, firing sleeps as their time comes. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((x) => x.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.t = Math.max(this.t, due.at);
      this.timers = this.timers.filter((x) => x !== due);
      due.resolve();
    }
    this.t = target;
    await settle();
  }

  /** Sleeps not yet fired. */
  get pending(): number {
    return this.timers.length;
  }
}
