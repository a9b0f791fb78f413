/** containerd event topics this lib decodes. Wire-stable: they are containerd's own. */
export const ContainerdTopics = {
  contentDelete: '/content/delete',
  imageCreate: '/images/create',
  imageUpdate: '/images/update',
  imageDelete: '/images/delete',
} as const;

/** What every event read from containerd carries. */
interface EventBase {
  /** containerd topic, e.g. `/images/create`. */
  topic: string;
  /** containerd namespace the event happened in. */
  namespace: string;
  /** When containerd published it. */
  timestamp: Date;
}

/**
 * The subscription is (again) in place. Events published while it was not are lost, so a
 * consumer that mirrors containerd's state re-lists it on every one of these.
 */
export interface SubscribedEvent {
  type: 'subscribed';
  /** False for the first subscription, true after a broken one was re-established. */
  resumed: boolean;
}

/** A blob was deleted from the content store by the API (`ctr content rm`). GC deletions emit none. */
export interface ContentDeleteEvent extends EventBase {
  type: 'content-delete';
  digest: string;
}

/**
 * An image record was created or updated. containerd 1.6 has no content-create event: new
 * content shows up only as the image that references it, after its blobs were committed.
 */
export interface ImageChangeEvent extends EventBase {
  type: 'image-create' | 'image-update';
  /** Image name, e.g. `docker.io/library/alpine:3.19`. */
  name: string;
  labels: Record<string, string>;
}

/** An image record was deleted; the content it referenced goes with the next garbage collection, without an event. */
export interface ImageDeleteEvent extends EventBase {
  type: 'image-delete';
  name: string;
}

/** Any other topic a caller's filters let through. */
export interface OtherEvent extends EventBase {
  type: 'other';
  /** The payload's type URL, e.g. `containerd.events.SnapshotCommit`. */
  typeUrl: string;
}

/** One item of a containerd event subscription. */
export type ContainerdEvent = SubscribedEvent | ContentDeleteEvent | ImageChangeEvent | ImageDeleteEvent | OtherEvent;

/** Options of {@link ContentEventSource.subscribe}. */
export interface SubscribeOptions {
  /** Ends the subscription (the iterator then finishes without error). */
  signal?: AbortSignal;
}

/** Where content and image events come from: containerd's events service, or a fake in tests. */
export interface ContentEventSource {
  /**
   * Events matching any of `filters` (containerd filter syntax; default: content deletes and
   * image changes in the configured namespace). Never ends on its own: a broken subscription is
   * re-established with backoff and announced by a `subscribed` event with `resumed: true`.
   */
  subscribe(filters?: string[], options?: SubscribeOptions): AsyncIterable<ContainerdEvent>;
}

/** The filters of a subscription to content deletes and image changes in one namespace. */
export function contentEventFilters(namespace: string): string[] {
  const ns = JSON.stringify(namespace);
  return [`topic==${JSON.stringify(ContainerdTopics.contentDelete)},namespace==${ns}`, `topic~="^/images/",namespace==${ns}`];
}
