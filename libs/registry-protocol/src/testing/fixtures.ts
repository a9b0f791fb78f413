// Helpers for this library's own specs. Not exported from the package index.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ProtocolError } from '../errors.js';
import { validateMessage } from '../validate.js';

/** A valid sha256 digest, different for each seed. */
export function digestFixture(seed = 'blob'): string {
  return `sha256:${createHash('sha256').update(seed).digest('hex')}`;
}

/** Strings that no identifier, name or digest grammar of this library may accept. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '../etc/passwd',
  '..',
  '%2e%2e',
  'a\u0000b',
  'a\nb',
  'a b',
  '*',
  '>',
  'a.b\u202e',
  '\u0430bc', // Cyrillic "a"
  'x'.repeat(300),
];

/** Values of the wrong JSON type, for every string field. */
export const NON_STRINGS: readonly unknown[] = [undefined, null, 0, 1.5, true, {}, [], ['sha256:'], Symbol('s')];

/** Asserts that validation fails and that the first problem names `field`; returns the error. */
export function assertRejected(cls: new () => object, payload: unknown, field: string): ProtocolError {
  try {
    validateMessage(cls, payload);
  } catch (e) {
    assert.ok(ProtocolError.is(e, 'INVALID_ARGUMENT'), `expected INVALID_ARGUMENT, got ${String(e)}`);
    assert.equal(e.fields?.[0]?.field, field, e.message);
    assert.ok(e.message.startsWith(`${field}: `), e.message);
    return e;
  }
  assert.fail(`${cls.name} accepted a payload with a bad ${field}`);
}
