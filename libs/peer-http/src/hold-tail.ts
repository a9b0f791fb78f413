import { Transform, type TransformCallback } from 'node:stream';

/**
 * Passes bytes through but keeps the last one back until the source ends. A receiver that knows
 * the length considers a response complete once the last byte arrives; holding it back until the
 * source has ended (which a blob follower does only after the digest was verified) means a body
 * that fails verification is always seen as truncated, never as a clean, wrong response.
 */
export function holdLastByte(): Transform {
  let held: Buffer | undefined;
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      if (chunk.length === 0) return cb();
      const all = held ? Buffer.concat([held, chunk]) : chunk;
      held = all.subarray(all.length - 1);
      cb(null, all.subarray(0, all.length - 1));
    },
    flush(cb: TransformCallback) {
      cb(null, held);
    },
  });
}
