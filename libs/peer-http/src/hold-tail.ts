import { Transform, type TransformCallback } from 'node:stream';

/**
 * Passes bytes through but keeps the last one back until the source ends. A receiver that knows
 * the length considers a response complete once the last byte arrives; holding it back until the
 * source has ended (which a blob follower does only after the digest was verified) means a body
 * that fails verification is always seen as truncated, never as a clean, wrong response.
 */
export function holdLastByte(expectedSize?: number): Transform {
  let held: Buffer | undefined;
  let passed = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      if (chunk.length === 0) return cb();
      // With the size known, bytes pass untouched until the final one; otherwise every chunk
      // gives up its last byte to the next (a copy per chunk, which the known size avoids).
      if (expectedSize !== undefined && passed + chunk.length < expectedSize) {
        passed += chunk.length;
        return cb(null, chunk);
      }
      const all = held ? Buffer.concat([held, chunk]) : chunk;
      held = all.subarray(all.length - 1);
      passed += chunk.length;
      cb(null, all.subarray(0, all.length - 1));
    },
    flush(cb: TransformCallback) {
      cb(null, held);
    },
  });
}
