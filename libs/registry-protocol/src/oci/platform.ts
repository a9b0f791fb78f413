import type { ValidationOptions } from 'class-validator';
import { rule } from '../rule.js';
import { InvalidReferenceError } from './reference.js';

/*
 * Platforms as `os/architecture[/variant]` (`linux/amd64`, `linux/arm64/v8`), the spelling of
 * docker's and containerd's `--platform`, naming one entry of an image index
 * (https://github.com/opencontainers/image-spec/blob/main/image-index.md, `platform`). Values are
 * lowercase tokens, so a platform is safe in a log line and a cache key.
 */

/** The platform picked from an index when the caller names none: what most nodes run. */
export const DEFAULT_PLATFORM = 'linux/amd64';

/** Longest platform string, in characters. */
export const PLATFORM_MAX_LENGTH = 98;

const PART = /^[a-z0-9][a-z0-9._-]{0,31}$/;

/** A parsed platform. */
export interface Platform {
  /** `linux`, `windows`, … */
  os: string;
  /** `amd64`, `arm64`, … */
  architecture: string;
  /** `v7`, `v8`, …; absent when not named. */
  variant?: string;
}

/** Why a value is not `os/architecture[/variant]`, or undefined when it is one. */
export function platformProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length > PLATFORM_MAX_LENGTH) return `must be at most ${PLATFORM_MAX_LENGTH} characters`;
  const parts = value.split('/');
  if (parts.length < 2 || parts.length > 3) return 'must be os/architecture or os/architecture/variant, e.g. linux/amd64';
  if (!parts.every((p) => PART.test(p))) return 'parts must be lowercase letters, digits, ".", "_" or "-" (at most 32 each)';
  return undefined;
}

/** Splits `os/architecture[/variant]`; throws InvalidReferenceError when it is not one. */
export function parsePlatform(value: unknown): Platform {
  const problem = platformProblem(value);
  if (problem) throw new InvalidReferenceError(`platform ${problem}`);
  const [os, architecture, variant] = (value as string).split('/') as [string, string, string | undefined];
  return { os, architecture, ...(variant !== undefined ? { variant } : {}) };
}

/** The `os/architecture[/variant]` spelling of a platform. */
export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, ...(p.variant ? [p.variant] : [])].join('/');
}

/** class-validator decorator: the property is `os/architecture[/variant]`. */
export function IsPlatform(options?: ValidationOptions): PropertyDecorator {
  return rule('isPlatform', platformProblem, options);
}
