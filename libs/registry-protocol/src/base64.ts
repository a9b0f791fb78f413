import { registerDecorator, type ValidationOptions } from 'class-validator';

/*
 * Exact bytes (manifests) travel inside JSON as standard padded base64 (RFC 4648 section 4).
 * Only the canonical form is accepted, so one byte string has one encoding and its decoded length
 * can be computed without decoding.
 */

// No groups: V8's backtracking state for a quantified group grows with the input and overflows on
// a 5 MB body (found by a test), while a quantified character class is matched in a loop.
const BASE64_CHARS = /^[A-Za-z0-9+/]*={0,2}$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** True for standard padded base64 whose unused trailing bits are zero (the one canonical form). */
function isCanonicalBase64(value: string): boolean {
  if (value.length % 4 !== 0 || !BASE64_CHARS.test(value)) return false;
  const padding = value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0;
  if (padding === 0) return true;
  // The last data character carries 2 (one "=") or 4 (two "=") unused bits, which must be zero.
  const last = ALPHABET.indexOf(value[value.length - padding - 1]!);
  return (last & (padding === 2 ? 0x0f : 0x03)) === 0;
}

/** Number of bytes a canonical base64 string decodes to. */
export function base64DecodedLength(encoded: string): number {
  const padding = encoded.endsWith('==') ? 2 : encoded.endsWith('=') ? 1 : 0;
  return (encoded.length / 4) * 3 - padding;
}

/** Length of the base64 encoding of `bytes` bytes. */
export function base64EncodedLength(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}

/**
 * Why a value is not canonical base64 of at most `maxBytes` bytes, or undefined. When `size` is
 * given, the decoded length must equal it, so a reply cannot claim one size and carry another.
 */
export function base64Problem(value: unknown, maxBytes: number, size?: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length > base64EncodedLength(maxBytes)) return `must decode to at most ${maxBytes} bytes`;
  if (!isCanonicalBase64(value)) return 'must be standard padded base64';
  const length = base64DecodedLength(value);
  if (length > maxBytes) return `must decode to at most ${maxBytes} bytes`;
  if (typeof size === 'number' && length !== size) return `decodes to ${length} bytes but size is ${size}`;
  return undefined;
}

/**
 * class-validator decorator: the property is canonical base64 of at most `maxBytes` bytes, and of
 * exactly `object[sizeProperty]` bytes when a size property is named and holds a number.
 */
export function IsBase64Bytes(maxBytes: number, sizeProperty?: string, options?: ValidationOptions): PropertyDecorator {
  const sizeOf = (object: object): unknown => (sizeProperty ? (object as Record<string, unknown>)[sizeProperty] : undefined);
  return (target, property) =>
    registerDecorator({
      name: 'isBase64Bytes',
      target: target.constructor,
      propertyName: String(property),
      constraints: [maxBytes, sizeProperty],
      options,
      validator: {
        validate: (value: unknown, args) => base64Problem(value, maxBytes, args && sizeOf(args.object)) === undefined,
        defaultMessage: (args) => base64Problem(args?.value, maxBytes, args && sizeOf(args.object)) ?? 'is invalid',
      },
    });
}
