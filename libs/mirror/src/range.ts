import { OciError } from './oci-error.js';

/** An inclusive byte range within a blob of known size. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Parses a `Range` header against a blob size (RFC 9110 §14.1.2). One range only: registries
 * and their clients use single ranges, and a multipart reply would cost a copy. Returns undefined
 * for "whole blob" (no header, or a syntactically foreign unit, which the RFC says to ignore),
 * throws RANGE_INVALID (416) when the range cannot be satisfied.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) {
    if (/^bytes=/.test(header.trim())) throw new OciError('RANGE_INVALID', 'only a single byte range is supported');
    return undefined;
  }
  const [, a, b] = m as unknown as [string, string, string];
  if (a === '' && b === '') throw new OciError('RANGE_INVALID', 'empty range');
  if (a === '') {
    // Suffix range: the last N bytes.
    const n = Number(b);
    if (n === 0 || size === 0) throw new OciError('RANGE_INVALID', 'unsatisfiable range');
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (!Number.isSafeInteger(start) || start >= size || end < start) throw new OciError('RANGE_INVALID', 'unsatisfiable range');
  return { start, end };
}
