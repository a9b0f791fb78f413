import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { ContentNotFoundError, ContentStoreUnavailableError } from './content-store.js';

/** Whether a value is a gRPC call error (it carries a numeric status code). */
export function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number' && 'metadata' in err;
}

/** The gRPC status code of an error, or undefined for errors that did not come from a call. */
export function grpcCode(err: unknown): number | undefined {
  return isServiceError(err) ? err.code : undefined;
}

/**
 * Maps a call error to this lib's errors: NOT_FOUND names the digest, transport trouble becomes
 * ContentStoreUnavailableError, anything else is passed on unchanged.
 */
export function contentError(err: unknown, digest: string | undefined, what: string): unknown {
  switch (grpcCode(err)) {
    case status.NOT_FOUND:
      return digest ? new ContentNotFoundError(digest) : err;
    case status.UNAVAILABLE:
    case status.DEADLINE_EXCEEDED:
    case status.CANCELLED:
      return new ContentStoreUnavailableError(`containerd ${what}: ${(err as ServiceError).details || (err as Error).message}`, { cause: err });
    default:
      return err;
  }
}

/** Request metadata selecting a containerd namespace; containerd refuses calls without one. */
export function namespaceMetadata(namespace: string, opts: { waitForReady?: boolean } = {}): Metadata {
  const md = new Metadata(opts.waitForReady ? { waitForReady: true } : undefined);
  md.set('containerd-namespace', namespace);
  return md;
}
