import type { ValidationOptions } from 'class-validator';
import { rule } from './rule.js';

/**
 * BitTorrent v1 info hashes (SHA-1 of the info dictionary, BEP 3:
 * https://www.bittorrent.org/beps/bep_0003.html), written as 40 lowercase hex characters, the
 * form bittorrent-tracker and webtorrent use in their APIs and logs.
 */
export const INFO_HASH_PATTERN = /^[a-f0-9]{40}$/;

/** Why a value is not a lowercase hex info hash, or undefined when it is one. */
export function infoHashProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length !== 40) return 'must be 40 hex characters';
  return INFO_HASH_PATTERN.test(value) ? undefined : 'must be lowercase hexadecimal';
}

/** True when the value is a lowercase hex info hash. */
export function isInfoHash(value: unknown): value is string {
  return infoHashProblem(value) === undefined;
}

/** class-validator decorator: the property is a 40-character lowercase hex info hash. */
export function IsInfoHash(options?: ValidationOptions): PropertyDecorator {
  return rule('isInfoHash', infoHashProblem, options);
}
