import type { ValidationOptions } from 'class-validator';
import { rule } from './rule.js';

/** Longest Authorization header value carried, in characters (8 KiB, what common proxies allow). */
export const AUTHORIZATION_MAX_LENGTH = 8 * 1024;

/**
 * Why a value cannot be forwarded as an HTTP header value of at most `maxLength` characters, or
 * undefined. Such values are credentials (`Authorization`, bearer tokens), so the problems never
 * quote them. Only printable ASCII is accepted: a value cannot split or inject headers upstream.
 */
export function headerValueProblem(value: unknown, maxLength: number): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length === 0) return 'must not be empty';
  if (value.length > maxLength) return `must be at most ${maxLength} characters`;
  if (!/^[\x20-\x7e]+$/.test(value)) return 'must be printable ASCII';
  return undefined;
}

/** class-validator decorator: the property can be forwarded as a header value (≤ maxLength). */
export function IsHeaderValue(maxLength: number, options?: ValidationOptions): PropertyDecorator {
  return rule('isHeaderValue', (value) => headerValueProblem(value, maxLength), options);
}
