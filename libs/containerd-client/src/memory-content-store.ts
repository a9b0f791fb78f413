import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { Digest } from '@accelerboat/registry-protocol';
import { ContainerdTopics, type ContainerdEvent, type ContentEventSource, type SubscribeOptions } from './content-events.js';
import { ContentNotFoundError, ContentStoreUnavailableError, type ContentInfo, type ContentStore, type ReadRange } from './content-store.js';

type Subscriber = { push(e: ContainerdEvent): void };

/**
 * An in-process stand-in for containerd's content store and event stream, for unit tests. It
 * behaves as containerd 1.6 does where that matters: committing content publishes no event,
 * images publish create/update/delete, `delete` (the API's delete) publishes `/content/delete`
 * and `collect` (garbage collection) publishes nothing. It passes the same conformance suite as
 * ContainerdContent.
 */
export class MemoryContentStore implements ContentStore, ContentEventSource {
  private readonly blobs = new Map<string, { bytes: Buffer; labels: Record<string, string> }>();
  private readonly images = new Set<string>();
  private readonly subscribers = new Set<Subscriber>();
  /** While true, every call fails as if containerd were down. */
  unavailable = false;

  constructor(private readonly namespace = 'k8s.io') {}

  /** Commits a blob (without an event) and returns its digest. */
  put(bytes: Buffer, labels: Record<string, string> = {}): string {
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    this.blobs.set(digest, { bytes, labels: { ...labels } });
    return digest;
  }

  /** Creates or updates an image record: the event containerd publishes once a pull committed its blobs. */
  putImage(name: string, labels: Record<string, string> = {}): void {
    const existed = this.images.has(name);
    this.images.add(name);
    this.publish({ type: existed ? 'image-update' : 'image-create', ...this.base(existed ? ContainerdTopics.imageUpdate : ContainerdTopics.imageCreate), name, labels: { ...labels } });
  }

  /** Deletes an image record; its content stays until `collect`. */
  deleteImage(name: string): void {
    if (this.images.delete(name)) this.publish({ type: 'image-delete', ...this.base(ContainerdTopics.imageDelete), name });
  }

  /** Deletes a blob through the API, which publishes `/content/delete`. */
  delete(digest: string): void {
    if (this.blobs.delete(digest)) this.publish({ type: 'content-delete', ...this.base(ContainerdTopics.contentDelete), digest });
  }

  /** Removes blobs silently, as containerd's garbage collector does. */
  collect(...digests: string[]): void {
    for (const d of digests) this.blobs.delete(d);
  }

  /** Breaks every subscription, as a containerd restart does; each resumes with `subscribed`. */
  restart(): void {
    for (const s of this.subscribers) s.push({ type: 'subscribed', resumed: true });
  }

  async *list(): AsyncIterable<ContentInfo> {
    this.check();
    for (const [digest, b] of [...this.blobs]) yield { digest, size: b.bytes.length, labels: { ...b.labels } };
  }

  async info(digest: string): Promise<ContentInfo | undefined> {
    const d = Digest.parse(digest).toString();
    this.check();
    const b = this.blobs.get(d);
    return b && { digest: d, size: b.bytes.length, labels: { ...b.labels } };
  }

  read(digest: string, range: ReadRange = {}): Readable {
    return Readable.from(this.chunks(digest, range), { objectMode: false });
  }

  // Checked on the first read, as containerd does, so that errors arrive on the stream.
  private async *chunks(digest: string, range: ReadRange): AsyncGenerator<Buffer> {
    const d = Digest.parse(digest).toString();
    this.check();
    const b = this.blobs.get(d);
    if (!b) throw new ContentNotFoundError(d);
    const start = range.offset ?? 0;
    const end = range.size === undefined ? b.bytes.length : Math.min(b.bytes.length, start + range.size);
    if (end > start) yield b.bytes.subarray(start, end);
  }

  /** Every event of this store, whatever the filters (they are containerd syntax, not interpreted here). */
  async *subscribe(_filters?: string[], options: SubscribeOptions = {}): AsyncIterable<ContainerdEvent> {
    const queue: ContainerdEvent[] = [{ type: 'subscribed', resumed: false }];
    let wake: (() => void) | undefined;
    const sub: Subscriber = {
      push: (e) => {
        queue.push(e);
        wake?.();
      },
    };
    const stop = (): void => wake?.();
    this.subscribers.add(sub);
    options.signal?.addEventListener('abort', stop);
    try {
      while (!options.signal?.aborted) {
        const next = queue.shift();
        if (next) yield next;
        else await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
    } finally {
      this.subscribers.delete(sub);
      options.signal?.removeEventListener('abort', stop);
    }
  }

  private base(topic: string): { topic: string; namespace: string; timestamp: Date } {
    return { topic, namespace: this.namespace, timestamp: new Date() };
  }

  private publish(e: ContainerdEvent): void {
    for (const s of this.subscribers) s.push(e);
  }

  private check(): void {
    if (this.unavailable) throw new ContentStoreUnavailableError('containerd is unavailable (simulated)');
  }
}
