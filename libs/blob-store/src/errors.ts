// Named errors for the expected outcomes of a blob store, checked with `instanceof` (kraken's
// ErrBlobNotFound style). They are plain Errors, not ProtocolErrors: the store is a local capability,
// and each adapter (HTTP, NATS) decides how a missing or corrupt blob maps onto its own wire.

/** The store holds no committed blob (and, where it applies, no write in progress) for the digest. */
export class BlobNotFoundError extends Error {
  override name = 'BlobNotFoundError';

  constructor(
    /** The canonical digest that was asked for. */
    readonly digest: string,
  ) {
    super(`blob ${digest} not found`);
  }
}

/** The bytes written do not hash to the digest they were written under; nothing was stored. */
export class DigestMismatchError extends Error {
  override name = 'DigestMismatchError';

  constructor(
    /** The digest the writer promised. */
    readonly expected: string,
    /** The digest of the bytes actually received. */
    readonly actual: string,
  ) {
    super(`digest mismatch: expected ${expected}, received bytes hash to ${actual}`);
  }
}

/** The number of bytes written differs from the size announced for the blob; nothing was stored. */
export class SizeMismatchError extends Error {
  override name = 'SizeMismatchError';

  constructor(
    /** The digest being written. */
    readonly digest: string,
    /** The size announced by the writer's caller. */
    readonly expectedSize: number,
    /** The bytes received so far (more than expected when the write was cut short early). */
    readonly actualSize: number,
  ) {
    super(`size mismatch for ${digest}: expected ${expectedSize} bytes, received ${actualSize}`);
  }
}

/** `write()` was called while another writer for the same digest is in progress: join it instead. */
export class WriteInProgressError extends Error {
  override name = 'WriteInProgressError';

  constructor(
    /** The digest already being written. */
    readonly digest: string,
  ) {
    super(`a write of ${digest} is already in progress; use writeOrJoin() and follow()`);
  }
}

/** The reason a writer records when `abort()` is called without one. */
export class WriteAbortedError extends Error {
  override name = 'WriteAbortedError';

  constructor(
    /** The digest whose write was abandoned. */
    readonly digest: string,
  ) {
    super(`write of ${digest} was aborted`);
  }
}
