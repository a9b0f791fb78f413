import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { Digest } from '@accelerboat/registry-protocol';
import { UpstreamError } from './upstream-errors.js';

/** The digest of `bytes` with the given algorithm (sha256 by default), `algorithm:hex`. */
export function digestOf(bytes: Buffer, algorithm: Digest['algorithm'] = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/**
 * A pass-through that hashes what flows and fails at the end (UPSTREAM_ERROR) when the content
 * does not match `expected` or, when given, its length differs from `expectedSize`. Bytes are
 * passed on as they arrive, so a consumer that writes them must keep them out of any
 * content-addressed name until the stream has ended without error.
 */
export function verifyingStream(expected: string, expectedSize?: number): Transform {
  const digest = Digest.parse(expected);
  const hash = createHash(digest.algorithm);
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      if (expectedSize !== undefined && size !== expectedSize) {
        callback(new UpstreamError('UPSTREAM_ERROR', `blob ${expected} ended after ${size} of ${expectedSize} bytes`));
        return;
      }
      const actual = `${digest.algorithm}:${hash.digest('hex')}`;
      callback(actual === digest.toString() ? null : new UpstreamError('UPSTREAM_ERROR', `blob content is ${actual}, not ${expected}`));
    },
  });
}
