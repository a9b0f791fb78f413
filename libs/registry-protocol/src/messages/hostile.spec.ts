import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getMetadataStorage } from 'class-validator';
import { Endpoints } from '../endpoints.js';
import { ProtocolError } from '../errors.js';
import { validateMessage } from '../validate.js';

// Every DTO of the catalogue, requests and responses.
const classes = [...new Set(Object.values(Endpoints).flatMap((e) => [e.request, e.response]))] as (new () => object)[];

const HOSTILE_VALUES: readonly unknown[] = [
  'a'.repeat(1_000_000),
  '2'.repeat(1_000_000),
  `http://${'a'.repeat(100_000)}.io`,
  '\u0000',
  '../../etc/passwd',
  -1,
  1e308,
  -0.5,
  true,
  null,
  {},
  [],
  Array(20_000).fill('x'),
  Array(20_000).fill({}),
  [[[[[]]]]],
];

function properties(cls: new () => object): string[] {
  return [...new Set(getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false).map((m) => m.propertyName))];
}

// Values that no field of any DTO accepts, so the field itself must be named in the error.
const NEVER_VALID: readonly unknown[] = ['\u0000', Array(20_000).fill({}), [[[[[]]]]]];

describe('every DTO of the catalogue', () => {
  it('answers hostile field values with INVALID_ARGUMENT and a bounded message, never a crash', () => {
    for (const cls of classes) {
      for (const property of properties(cls)) {
        for (const value of [...HOSTILE_VALUES, ...NEVER_VALID]) {
          let error: unknown;
          try {
            validateMessage(cls, { [property]: value });
          } catch (e) {
            error = e;
          }
          // Passing is possible only for a legitimate value of a class whose other fields are optional.
          if (error === undefined) continue;
          assert.ok(ProtocolError.is(error, 'INVALID_ARGUMENT'), `${cls.name}.${property}: ${String(error)}`);
          assert.ok(error.message.length < 4000, `${cls.name}.${property}: message of ${error.message.length} characters`);
          if (NEVER_VALID.includes(value)) {
            const named = error.fields?.some((f) => f.field === property || f.field.startsWith(`${property}.`));
            assert.ok(named, `${cls.name}.${property} not named in: ${error.message}`);
          }
        }
      }
    }
  });
});
