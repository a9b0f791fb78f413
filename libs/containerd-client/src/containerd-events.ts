import { status, waitForClientReady, type Client } from '@grpc/grpc-js';
import { contentEventFilters, ContainerdTopics, type ContainerdEvent, type ContentEventSource, type SubscribeOptions } from './content-events.js';
import { decodeEventPayload, type ContainerdClients, type WireEnvelope } from './grpc-api.js';
import { grpcCode, namespaceMetadata } from './grpc-errors.js';

/** How a ContainerdEvents subscribes. */
export interface ContainerdEventsOptions {
  /** Namespace of the default filters (events of other namespaces are not wanted). */
  namespace: string;
  /** First wait before re-subscribing after a broken subscription (default 200 ms); doubles up to maxBackoffMs. */
  initialBackoffMs?: number;
  /** Longest wait between two attempts (default 10 s). */
  maxBackoffMs?: number;
  /** Pause between the channel being up and the first `subscribed` event (default 50 ms). */
  settleMs?: number;
  /** Told about every broken subscription and the wait before the next attempt, e.g. to log it. */
  onError?: (err: unknown, retryInMs: number) => void;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * A server stream's messages, buffered from the moment the call starts, so that an error or the
 * end is never lost while nobody is reading. Backpressure is not needed: events are small and few.
 */
class StreamQueue<T> {
  private readonly items: T[] = [];
  private failure: unknown;
  private ended = false;
  private wake: (() => void) | undefined;

  constructor(stream: NodeJS.EventEmitter) {
    const poke = (): void => {
      this.wake?.();
      this.wake = undefined;
    };
    stream.on('data', (item: T) => (this.items.push(item), poke()));
    stream.on('error', (err: unknown) => ((this.failure ??= err), poke()));
    stream.on('end', () => ((this.ended = true), poke()));
  }

  /** Throws the stream's error, if it failed. */
  throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  /** Waits for anything to happen on the stream. */
  changed(): Promise<void> {
    return new Promise((r) => (this.wake = r));
  }

  /** The next message, undefined at the end; throws the stream's error. */
  async next(): Promise<T | undefined> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) return item;
      this.throwIfFailed();
      if (this.ended) return undefined;
      await this.changed();
    }
  }
}

/** Resolves once the client's channel is connected; throws if the call fails first. */
async function whenReady(client: Client, signal: AbortSignal, queue: StreamQueue<unknown>): Promise<void> {
  while (!signal.aborted) {
    queue.throwIfFailed();
    const t0 = Date.now();
    const ready = await new Promise<boolean>((resolve) => waitForClientReady(client, t0 + 1000, (err) => resolve(!err)));
    if (ready) return;
    // A closed channel answers at once: do not spin on it.
    if (Date.now() - t0 < 900) await sleep(1000 - (Date.now() - t0), signal);
  }
}

/** Converts one envelope; undefined payload fields fall back to empty values, as proto3 does. */
export function toContainerdEvent(env: WireEnvelope): ContainerdEvent {
  const base = {
    topic: env.topic,
    namespace: env.namespace,
    timestamp: new Date(Number(env.timestamp?.seconds ?? 0) * 1000 + Math.floor((env.timestamp?.nanos ?? 0) / 1e6)),
  };
  const typeUrl = env.event?.type_url ?? '';
  const payload = env.event ? decodeEventPayload(typeUrl, env.event.value) : undefined;
  const str = (k: string): string => (typeof payload?.[k] === 'string' ? (payload[k] as string) : '');
  const labels = (): Record<string, string> => ({ ...((payload?.labels as Record<string, string> | undefined) ?? {}) });
  switch (payload ? env.topic : undefined) {
    case ContainerdTopics.contentDelete:
      return { type: 'content-delete', ...base, digest: str('digest') };
    case ContainerdTopics.imageCreate:
      return { type: 'image-create', ...base, name: str('name'), labels: labels() };
    case ContainerdTopics.imageUpdate:
      return { type: 'image-update', ...base, name: str('name'), labels: labels() };
    case ContainerdTopics.imageDelete:
      return { type: 'image-delete', ...base, name: str('name') };
    default:
      return { type: 'other', ...base, typeUrl };
  }
}

/**
 * containerd's event stream. A subscription survives containerd restarts: the call waits for the
 * socket (the channel reconnects with backoff), and a broken stream is re-opened with an
 * exponential backoff of its own, so a daemon that refuses at once is not hammered.
 */
export class ContainerdEvents implements ContentEventSource {
  constructor(
    private readonly clients: Pick<ContainerdClients, 'events'>,
    private readonly opts: ContainerdEventsOptions,
  ) {}

  async *subscribe(filters: string[] = contentEventFilters(this.opts.namespace), options: SubscribeOptions = {}): AsyncIterable<ContainerdEvent> {
    const signal = options.signal ?? new AbortController().signal;
    const initial = this.opts.initialBackoffMs ?? 200;
    let backoff = initial;
    let resumed = false;
    while (!signal.aborted) {
      // waitForReady: while containerd is away the call waits for the channel instead of failing.
      const call = this.clients.events.Subscribe({ filters }, namespaceMetadata(this.opts.namespace, { waitForReady: true }));
      const queue = new StreamQueue<WireEnvelope>(call);
      const cancel = (): void => call.cancel();
      signal.addEventListener('abort', cancel, { once: true });
      try {
        // containerd sends no headers before the first event, so there is no sign that the
        // subscription is registered. Once the channel is up the call reaches containerd within
        // a moment; a change in that moment is missed, which the consumer's periodic re-list covers.
        await whenReady(this.clients.events, signal, queue);
        await sleep(this.opts.settleMs ?? 50, signal);
        queue.throwIfFailed();
        if (signal.aborted) return;
        backoff = initial;
        yield { type: 'subscribed', resumed };
        resumed = true;
        for (;;) {
          const env = await queue.next();
          if (!env) throw new Error('containerd ended the event stream');
          yield toContainerdEvent(env);
        }
      } catch (err) {
        if (signal.aborted) return;
        // A filter containerd cannot parse would fail the same way forever.
        if (grpcCode(err) === status.INVALID_ARGUMENT) throw err;
        this.opts.onError?.(err, backoff);
      } finally {
        signal.removeEventListener('abort', cancel);
        call.cancel();
      }
      await sleep(backoff, signal);
      backoff = Math.min(backoff * 2, this.opts.maxBackoffMs ?? 10_000);
    }
  }
}
