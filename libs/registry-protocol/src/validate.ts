import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { ProtocolError, type FieldProblem } from './errors.js';

type Ctor<T> = new () => T;

/**
 * Turns an untrusted plain JSON value into a validated DTO instance, or throws
 * INVALID_ARGUMENT naming every bad field. Unknown properties are rejected, so a typo in an
 * operator's `nats req` payload is reported instead of silently ignored.
 */
export function validateMessage<T extends object>(cls: Ctor<T>, plain: unknown): T {
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    throw new ProtocolError('INVALID_ARGUMENT', `payload must be a JSON object (${cls.name})`);
  }
  const instance = plainToInstance(cls, plain);
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  if (errors.length === 0) return instance;
  const fields = flatten(errors);
  throw new ProtocolError(
    'INVALID_ARGUMENT',
    fields.map((f) => `${f.field}: ${f.problems.join('; ')}`).join(', '),
    fields,
  );
}

function flatten(errors: ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints).map((m) => strip(m, e.property)) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

function strip(message: string, property: string): string {
  return message.startsWith(property + ' ') ? message.slice(property.length + 1) : message;
}
