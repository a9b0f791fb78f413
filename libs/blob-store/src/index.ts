// The public surface of @accelerboat/blob-store: a verified, content-addressed blob store on disk.
export { FsBlobStore } from './fs-blob-store.js';
export { BlobWriter, type BlobWriterState, type CommittedBlob } from './blob-writer.js';
export type {
  BlobStoreOptions,
  BlobStat,
  ByteRange,
  BlobRead,
  FollowOptions,
  BlobFollow,
  WriteOptions,
  WriteProgress,
  WriteClaim,
  BlobStoreStats,
  RemovalReason,
  BlobStoreEvents,
  VerifyReport,
} from './blob-store.types.js';
export type { CapacityLimits } from './eviction.js';
export { BlobNotFoundError, DigestMismatchError, SizeMismatchError, WriteInProgressError, WriteAbortedError } from './errors.js';
