import { registerDecorator, type ValidationOptions } from 'class-validator';

/**
 * Content digests, per the OCI image spec "Digests" section
 * (https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests).
 * Only the registered algorithms we can verify are accepted: sha256 (64 lowercase hex) and
 * sha512 (128 lowercase hex). Anything else is refused, so a digest can be used as a cache key
 * and a file name component without further escaping.
 */
export const DigestAlgorithms = { sha256: 64, sha512: 128 } as const;
export type DigestAlgorithm = keyof typeof DigestAlgorithms;

const DIGEST = /^(sha256|sha512):([a-f0-9]+)$/;

export class Digest {
  private constructor(
    readonly algorithm: DigestAlgorithm,
    readonly hex: string,
  ) {}

  /** Parses and validates `algorithm:hex`; throws InvalidDigestError with the reason. */
  static parse(value: string): Digest {
    const reason = digestProblem(value);
    if (reason) throw new InvalidDigestError(reason);
    const [, algorithm, hex] = DIGEST.exec(value)!;
    return new Digest(algorithm as DigestAlgorithm, hex!);
  }

  toString(): string {
    return `${this.algorithm}:${this.hex}`;
  }
}

export class InvalidDigestError extends Error {
  override name = 'InvalidDigestError';
}

/** Why a string is not a valid digest, or undefined when it is one. */
export function digestProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length > 7 + 128) return 'is too long';
  const m = DIGEST.exec(value);
  if (!m) {
    if (!value.includes(':')) return 'must be algorithm:hex';
    const alg = value.slice(0, value.indexOf(':'));
    if (!Object.hasOwn(DigestAlgorithms, alg)) return `algorithm ${JSON.stringify(alg.slice(0, 16))} is not supported (sha256, sha512)`;
    return 'hex part must be lowercase hexadecimal';
  }
  const expected = DigestAlgorithms[m[1] as DigestAlgorithm];
  if (m[2]!.length !== expected) return `${m[1]} hex part must be ${expected} characters`;
  return undefined;
}

export function isDigest(value: unknown): value is string {
  return digestProblem(value) === undefined;
}

/** class-validator decorator: the property is a valid sha256/sha512 digest string. */
export function IsDigest(options?: ValidationOptions): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      name: 'isDigest',
      target: target.constructor,
      propertyName: String(property),
      options,
      validator: {
        validate: (value: unknown) => isDigest(value),
        defaultMessage: (args) => `must be a digest (sha256:<64 hex> or sha512:<128 hex>): ${digestProblem(args?.value) ?? ''}`,
      },
    });
}
