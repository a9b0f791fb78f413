import { registerDecorator, type ValidationOptions } from 'class-validator';

/**
 * Says why a value breaks a grammar, or returns undefined when it is fine. Problems are short
 * phrases that read well after a field name ("digest: hex part must be lowercase hexadecimal").
 * They never quote the whole value: a rejected field may hold a secret or megabytes of junk.
 */
export type ProblemFn = (value: unknown) => string | undefined;

/**
 * Turns a problem function into a class-validator decorator whose message is the problem itself.
 * With `{ each: true }` every array item is checked and the message names the first bad item.
 */
export function rule(name: string, problem: ProblemFn, options?: ValidationOptions): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: String(property),
      options,
      validator: {
        validate: (value: unknown) => problem(value) === undefined,
        defaultMessage: (args) => describe(problem, args?.value, options?.each === true),
      },
    });
}

function describe(problem: ProblemFn, value: unknown, each: boolean): string {
  if (each && Array.isArray(value)) {
    const index = value.findIndex((item) => problem(item) !== undefined);
    if (index >= 0) return `item ${index} ${problem(value[index])}`;
  }
  return problem(value) ?? 'is invalid';
}

/** True when the string holds a C0 control character, DEL or a C1 control character. */
export function hasControlCharacters(value: string): boolean {
  return /[\u0000-\u001f\u007f-\u009f]/.test(value);
}

/**
 * class-validator decorator for free text (reasons, versions, service names): no control
 * characters, so a value cannot forge extra log lines or smuggle a NUL into a C library.
 * Combine with `@IsString()` and `@MaxLength()`.
 */
export function IsPlainText(options?: ValidationOptions): PropertyDecorator {
  return rule(
    'isPlainText',
    (value) => (typeof value === 'string' && hasControlCharacters(value) ? 'must not contain control characters' : undefined),
    options,
  );
}

/**
 * class-validator decorator for byte counts and other counters: a non-negative integer that
 * JSON numbers can carry exactly (at most 2^53 - 1).
 */
export function IsCount(options?: ValidationOptions): PropertyDecorator {
  return rule('isCount', countProblem, options);
}

/** Why a value is not a non-negative safe integer, or undefined when it is one. */
export function countProblem(value: unknown): string | undefined {
  if (typeof value !== 'number') return 'must be a number';
  if (!Number.isSafeInteger(value)) return 'must be a whole number below 2^53';
  if (value < 0) return 'must not be negative';
  return undefined;
}

/**
 * class-validator decorator: this count must not exceed another count of the same object when
 * that one is present (bytes done never exceed the total). Type checks stay with `@IsCount()`.
 */
export function IsAtMost(otherProperty: string, options?: ValidationOptions): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      name: 'isAtMost',
      target: target.constructor,
      propertyName: String(property),
      constraints: [otherProperty],
      options,
      validator: {
        validate: (value: unknown, args) => {
          const other: unknown = (args?.object as Record<string, unknown> | undefined)?.[otherProperty];
          return typeof value !== 'number' || typeof other !== 'number' || value <= other;
        },
        defaultMessage: () => `must not exceed ${otherProperty}`,
      },
    });
}

/**
 * class-validator decorator for arrays of nested DTOs: every item must be a JSON object. Without
 * it, `[[{…}]]` would pass `@ValidateNested({ each: true })`, which descends into nested arrays.
 */
export function IsObjectItems(options?: ValidationOptions): PropertyDecorator {
  const problem: ProblemFn = (item) => (item !== null && typeof item === 'object' && !Array.isArray(item) ? undefined : 'must be an object');
  return rule('isObjectItems', problem, { ...options, each: true });
}
