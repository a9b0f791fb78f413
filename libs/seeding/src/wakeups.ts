/**
 * Lets waiters sleep until either a timeout or an explicit wake for their key, whichever comes
 * first. Job watchers poll the store on an interval anyway; a wake makes them notice the end of
 * a download at once instead of up to one interval later.
 */
export class Wakeups<K> {
  private readonly waiters = new Map<K, Set<() => void>>();

  /** Resolves after `ms`, or earlier when `key` (or everything) is woken. */
  wait(key: K, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(key) ?? new Set();
      this.waiters.set(key, set);
      const done = (): void => {
        clearTimeout(timer);
        set.delete(done);
        if (!set.size && this.waiters.get(key) === set) this.waiters.delete(key);
        resolve();
      };
      const timer = setTimeout(done, ms);
      set.add(done);
    });
  }

  /** Wakes every waiter of `key`. */
  wake(key: K): void {
    for (const done of [...(this.waiters.get(key) ?? [])]) done();
  }

  /** Wakes every waiter. */
  wakeAll(): void {
    for (const key of [...this.waiters.keys()]) this.wake(key);
  }
}
