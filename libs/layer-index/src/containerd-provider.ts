import type { ContentEventSource, ContentStore } from '@accelerboat/containerd-client';
import { digestProblem } from '@accelerboat/registry-protocol';
import type { LocalProvider, ProviderListener } from './local-provider.js';

/** Options of a ContainerdProvider. */
export interface ContainerdProviderOptions {
  /** Image events within this long are answered by one re-list (default 200 ms). */
  rescanDelayMs?: number;
  /**
   * After an image delete, how long to wait for containerd's garbage collection before listing
   * again (default 2 s). GC removes the image's blobs without any event.
   */
  gcSettleMs?: number;
  /** Told when the subscription fails for good (a filter containerd rejects). */
  onError?: (err: unknown) => void;
  /** Told whenever the event subscription is (again) in place, e.g. to log that containerd is back. */
  onSubscribed?: (resumed: boolean) => void;
}

/**
 * containerd's content store as a LocalProvider. containerd 1.6 publishes no event when content
 * is committed or garbage-collected, only `/content/delete` for API deletes and image
 * create/update/delete, so image events and every (re)subscription trigger a re-list.
 */
export class ContainerdProvider implements LocalProvider {
  readonly name = 'containerd';

  constructor(
    private readonly content: Pick<ContentStore, 'list'>,
    private readonly events: ContentEventSource,
    private readonly opts: ContainerdProviderOptions = {},
  ) {}

  async scan(): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    for await (const info of this.content.list()) {
      // Only digests the rest of the system can verify and address.
      if (!digestProblem(info.digest)) found.set(info.digest, info.size);
    }
    return found;
  }

  watch(listener: ProviderListener): () => void {
    const abort = new AbortController();
    const timers = new Set<NodeJS.Timeout>();
    let soon: NodeJS.Timeout | undefined;
    const rescanSoon = (): void => {
      soon ??= setTimeout(() => {
        soon = undefined;
        listener.rescan();
      }, this.opts.rescanDelayMs ?? 200);
    };
    const rescanLater = (): void => {
      const t = setTimeout(() => {
        timers.delete(t);
        listener.rescan();
      }, this.opts.gcSettleMs ?? 2000);
      timers.add(t);
    };
    void (async () => {
      try {
        for await (const e of this.events.subscribe(undefined, { signal: abort.signal })) {
          switch (e.type) {
            case 'subscribed':
              // Also the first time: the initial scan may have run before events were flowing.
              this.opts.onSubscribed?.(e.resumed);
              listener.rescan();
              break;
            case 'content-delete':
              if (!digestProblem(e.digest)) listener.removed(e.digest);
              break;
            case 'image-create':
            case 'image-update':
              rescanSoon();
              break;
            case 'image-delete':
              rescanSoon();
              rescanLater();
              break;
          }
        }
      } catch (err) {
        if (!abort.signal.aborted) this.opts.onError?.(err);
      }
    })();
    return () => {
      abort.abort();
      clearTimeout(soon);
      for (const t of timers) clearTimeout(t);
    };
  }
}
