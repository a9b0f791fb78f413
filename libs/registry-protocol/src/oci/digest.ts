import type { ValidationOptions } from 'class-validator';
import { ProtocolError } from '../errors.js';
import { rule } from '../rule.js';

/**
 * Content digests, per the OCI image spec "Digests" section
 * (https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests).
 * Only the registered algorithms we can verify are accepted: sha256 (64 lowercase hex) and
 * sha512 (128 lowercase hex). Anything else is refused, so a digest can be used as a cache key
 * and a file name component without further escaping.
 */
export const DigestAlgorithms = { sha256: 64, sha512: 128 } as const;

/** A digest algorithm this project can verify. */
export type DigestAlgorithm = keyof typeof DigestAlgorithms;

/** Longest valid digest string: `sha512:` plus 128 hex characters. */
export const DIGEST_MAX_LENGTH = 'sha512:'.length + DigestAlgorithms.sha512;

const DIGEST = /^(sha256|sha512):([a-f0-9]+)$/;

/** A parsed, validated digest. Construct it with `Digest.parse`. */
export class Digest {
  private constructor(
    /** The hash algorithm, `sha256` or `sha512`. */
    readonly algorithm: DigestAlgorithm,
    /** The lowercase hex encoding of the hash. */
    readonly hex: string,
  ) {}

  /** Parses and validates `algorithm:hex`; throws InvalidDigestError with the reason. */
  static parse(value: unknown): Digest {
    const reason = digestProblem(value);
    if (reason) throw new InvalidDigestError(`digest ${reason}`);
    const [, algorithm, hex] = DIGEST.exec(value as string)!;
    return new Digest(algorithm as DigestAlgorithm, hex!);
  }

  /** The canonical `algorithm:hex` form. */
  toString(): string {
    return `${this.algorithm}:${this.hex}`;
  }
}

/** Thrown by `Digest.parse`; crosses the wire as INVALID_ARGUMENT like any other bad input. */
export class InvalidDigestError extends ProtocolError {
  override name = 'InvalidDigestError';

  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}

/** Why a value is not a valid digest, or undefined when it is one. */
export function digestProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length > DIGEST_MAX_LENGTH) return 'is too long';
  const m = DIGEST.exec(value);
  if (!m) {
    if (!value.includes(':')) return 'must be algorithm:hex, e.g. sha256:<64 hex>';
    const alg = value.slice(0, value.indexOf(':'));
    if (!Object.hasOwn(DigestAlgorithms, alg)) return `algorithm ${JSON.stringify(alg.slice(0, 16))} is not supported (sha256, sha512)`;
    return 'hex part must be lowercase hexadecimal';
  }
  const expected = DigestAlgorithms[m[1] as DigestAlgorithm];
  if (m[2]!.length !== expected) return `${m[1]} hex part must be ${expected} characters`;
  return undefined;
}

/** True when the value is a valid sha256/sha512 digest string. */
export function isDigest(value: unknown): value is string {
  return digestProblem(value) === undefined;
}

/** class-validator decorator: the property is a valid sha256/sha512 digest string. */
export function IsDigest(options?: ValidationOptions): PropertyDecorator {
  return rule('isDigest', digestProblem, options);
}
