import { watch, type FSWatcher } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalProvider, ProviderListener } from './local-provider.js';

const HEX = /^[a-f0-9]{64}$/;

/** Options of a BlobDirProvider. */
export interface BlobDirProviderOptions {
  /** How often to retry watching while the directory does not exist or the watcher broke (default 5 s). */
  rewatchMs?: number;
  /** How long events for one file are gathered before it is looked at (default 50 ms). */
  settleMs?: number;
}

/**
 * The blobs of one content-addressed store directory (the edge cache, the seeder store), read
 * from the directory itself: `<root>/blobs/sha256/<hex>` names and sizes. The owning process
 * writes in `<root>/tmp/` and renames only verified blobs into place, so every file found here is
 * complete. The store is never opened as an FsBlobStore: that would empty its owner's tmp/.
 */
export class BlobDirProvider implements LocalProvider {
  readonly name: string;
  private readonly dir: string;

  constructor(
    readonly root: string,
    private readonly opts: BlobDirProviderOptions = {},
  ) {
    this.name = root;
    this.dir = join(root, 'blobs', 'sha256');
  }

  async scan(): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      // A store whose owner has not started yet holds nothing; anything else is a real failure.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return found;
      throw err;
    }
    for (const name of names) {
      if (!HEX.test(name)) continue;
      const size = await this.sizeOf(name);
      if (size !== undefined) found.set(`sha256:${name}`, size);
    }
    return found;
  }

  watch(listener: ProviderListener): () => void {
    let watcher: FSWatcher | undefined;
    let retry: NodeJS.Timeout | undefined;
    let stopped = false;
    const pending = new Map<string, NodeJS.Timeout>();

    const check = async (name: string): Promise<void> => {
      pending.delete(name);
      const size = await this.sizeOf(name);
      if (stopped) return;
      if (size === undefined) listener.removed(`sha256:${name}`);
      else listener.added(`sha256:${name}`, size);
    };
    const onEvent = (_event: string, filename: string | Buffer | null): void => {
      const name = filename?.toString();
      if (!name || !HEX.test(name)) return; // also drops the editors' and rsync's temp names
      // A rename arrives as two events; look once they have settled.
      clearTimeout(pending.get(name));
      pending.set(name, setTimeout(() => void check(name), this.opts.settleMs ?? 50));
    };
    const arm = (): void => {
      retry = undefined;
      if (stopped) return;
      try {
        watcher = watch(this.dir, { persistent: false }, onEvent);
        watcher.on('error', () => {
          watcher?.close();
          watcher = undefined;
          schedule();
        });
        // Whatever happened while nobody watched is only known to a scan.
        listener.rescan();
      } catch {
        schedule(); // the directory does not exist yet
      }
    };
    const schedule = (): void => {
      if (!stopped && !retry) retry = setTimeout(arm, this.opts.rewatchMs ?? 5000);
      retry?.unref();
    };
    arm();
    return () => {
      stopped = true;
      watcher?.close();
      clearTimeout(retry);
      for (const t of pending.values()) clearTimeout(t);
    };
  }

  private async sizeOf(name: string): Promise<number | undefined> {
    try {
      const s = await stat(join(this.dir, name));
      return s.isFile() ? s.size : undefined;
    } catch {
      return undefined;
    }
  }
}
