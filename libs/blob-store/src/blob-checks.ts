// Checks on caller input and on stored bytes, kept apart from the store so each is testable alone.
import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import type { DigestAlgorithm } from '@accelerboat/registry-protocol';

/** A validated range: `end` inclusive, undefined for "to the end". */
export interface CheckedRange {
  start: number;
  end: number | undefined;
}

/**
 * Validates a byte range against a blob size (when known), throwing a RangeError the HTTP adapter
 * can map to 416. A range that ends past the blob is refused rather than clamped, so a peer asking
 * for a piece never gets silently fewer bytes than it asked for.
 */
export function checkRange(start: number, end: number | undefined, size: number | undefined): CheckedRange {
  if (!Number.isSafeInteger(start) || start < 0) throw new RangeError(`range start must be a non-negative integer, got ${start}`);
  if (end !== undefined && (!Number.isSafeInteger(end) || end < start)) {
    throw new RangeError(`range end must be an integer >= start (${start}), got ${end}`);
  }
  if (size !== undefined && (end !== undefined ? end >= size : start > size)) {
    throw new RangeError(`range ${start}-${end ?? ''} is not satisfiable for a ${size}-byte blob`);
  }
  return { start, end };
}

/** Throws a RangeError unless the announced size is a non-negative integer (or absent). */
export function checkExpectedSize(expectedSize: number | undefined): void {
  if (expectedSize !== undefined && (!Number.isSafeInteger(expectedSize) || expectedSize < 0)) {
    throw new RangeError(`expectedSize must be a non-negative integer, got ${expectedSize}`);
  }
}

/** Hashes a file by streaming it; returns the hex hash and the byte count. */
export async function hashFile(path: string, algorithm: DigestAlgorithm): Promise<{ hex: string; size: number }> {
  const hash = createHash(algorithm);
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { hex: hash.digest('hex'), size };
}
