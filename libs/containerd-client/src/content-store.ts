import type { Readable } from 'node:stream';

/** One committed blob in a content store, as containerd's content service describes it. */
export interface ContentInfo {
  /** `algorithm:hex`. */
  digest: string;
  /** Size in bytes. */
  size: number;
  /** containerd labels (`containerd.io/gc.ref.*`, `containerd.io/distribution.source.*`, ...). */
  labels: Record<string, string>;
}

/** Which bytes of a blob to read. */
export interface ReadRange {
  /** First byte (default 0). */
  offset?: number;
  /** How many bytes; absent reads to the end. */
  size?: number;
}

/**
 * The read side of a node's content store (containerd's in production, an in-memory one in unit
 * tests). Only committed content is visible: ingests in progress never are.
 */
export interface ContentStore {
  /** Every committed blob, streamed so that a store of many thousand blobs is never held whole. */
  list(): AsyncIterable<ContentInfo>;
  /** The blob's description, or undefined when the store does not hold it. */
  info(digest: string): Promise<ContentInfo | undefined>;
  /**
   * The blob's bytes. Returned at once; a missing blob surfaces as a ContentNotFoundError on the
   * stream, an unreachable store as a ContentStoreUnavailableError. Destroying the stream stops
   * the transfer.
   */
  read(digest: string, range?: ReadRange): Readable;
}

/** The store does not hold the blob. */
export class ContentNotFoundError extends Error {
  override name = 'ContentNotFoundError';
  /** Machine-readable reason, as on the other errors of this lib. */
  readonly code = 'NOT_FOUND';

  constructor(readonly digest: string) {
    super(`content ${digest} not found`);
  }
}

/** The store could not be asked (containerd down, socket missing, call timed out). */
export class ContentStoreUnavailableError extends Error {
  override name = 'ContentStoreUnavailableError';
  /** Machine-readable reason, as on the other errors of this lib. */
  readonly code = 'UNAVAILABLE';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
