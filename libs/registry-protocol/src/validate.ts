import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, type ValidationError } from 'class-validator';
import { ProtocolError, type FieldProblem } from './errors.js';

type Ctor<T> = new () => T;

/** Deepest nesting of objects and arrays a payload may have; DTOs need far less. */
export const MAX_PAYLOAD_DEPTH = 16;

/** Most field problems reported in one error; a hostile payload can break thousands of fields. */
export const MAX_REPORTED_FIELDS = 20;

// Keys that would reach an object's prototype machinery. class-transformer silently drops them;
// we refuse them so a probing payload is reported, not half-accepted.
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

// When a value has the wrong type, the other rules of that field only add noise: report the
// first of these that failed and nothing else.
const TYPE_RULES = ['isString', 'isInt', 'isNumber', 'isBoolean', 'isArray', 'isObject', 'nestedValidation', 'unknownValue'];

const READABLE: Record<string, string> = {
  whitelistValidation: 'is not an allowed property',
  nestedValidation: 'must be an object',
  unknownValue: 'must be an object',
};

/**
 * Turns an untrusted plain JSON value into a validated DTO instance, or throws INVALID_ARGUMENT
 * naming every bad field by its path (`entries.0.digest: ...`). Unknown properties are rejected,
 * so a typo in an operator's `nats req` payload is reported instead of silently ignored.
 * Messages never quote field values: a rejected field may hold a credential.
 *
 * An optional field may be sent as null; it is treated as absent and removed from the instance.
 */
export function validateMessage<T extends object>(cls: Ctor<T>, plain: unknown): T {
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    throw new ProtocolError('INVALID_ARGUMENT', `payload must be a JSON object (${cls.name})`);
  }
  const shape = shapeProblems(plain);
  if (shape.length) throw invalid(shape);
  if (!hasRules(cls)) {
    // class-validator treats a class without rules as an unknown value; an empty request DTO is
    // legitimate, so check "no properties at all" here instead.
    const extra = Object.keys(plain).map((key) => ({ field: safeKey(key), problems: [READABLE.whitelistValidation!] }));
    if (extra.length) throw invalid(extra);
    return new cls();
  }
  const instance = plainToInstance(cls, plain);
  const errors = validateSync(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
  });
  if (errors.length) throw invalid(flatten(errors));
  dropNulls(instance);
  return instance;
}

/**
 * `@IsOptional()` lets null through as "absent". Only optional fields can hold null after
 * validation, so deleting those properties makes the instance match its `field?: T` types.
 */
function dropNulls(value: object): void {
  for (const [key, child] of Object.entries(value)) {
    if (Array.isArray(child)) child.forEach((item: unknown) => item !== null && typeof item === 'object' && dropNulls(item));
    else if (child === null) delete (value as Record<string, unknown>)[key];
    else if (typeof child === 'object') dropNulls(child);
  }
}

function hasRules(cls: Ctor<object>): boolean {
  return getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false).length > 0;
}

function invalid(fields: FieldProblem[]): ProtocolError {
  const shown = fields.slice(0, MAX_REPORTED_FIELDS);
  const more = fields.length - shown.length;
  const message = shown.map((f) => `${f.field}: ${f.problems.join('; ')}`).join(', ') + (more > 0 ? `, and ${more} more` : '');
  return new ProtocolError('INVALID_ARGUMENT', message, shown);
}

/** Depth and prototype-key checks, done without recursion so a deep payload cannot overflow the stack. */
function shapeProblems(root: object): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const stack: { value: object; path: string; depth: number }[] = [{ value: root, path: '', depth: 1 }];
  while (stack.length && problems.length < MAX_REPORTED_FIELDS) {
    const { value, path, depth } = stack.pop()!;
    if (depth > MAX_PAYLOAD_DEPTH) {
      problems.push({ field: path, problems: [`is nested more than ${MAX_PAYLOAD_DEPTH} levels deep`] });
      continue;
    }
    for (const key of Object.keys(value)) {
      const field = path ? `${path}.${safeKey(key)}` : safeKey(key);
      if (FORBIDDEN_KEYS.has(key)) problems.push({ field, problems: [READABLE.whitelistValidation!] });
      const child: unknown = (value as Record<string, unknown>)[key];
      if (child !== null && typeof child === 'object') stack.push({ value: child, path: field, depth: depth + 1 });
    }
  }
  return problems;
}

function flatten(errors: ValidationError[], prefix = '', parentFailed = false): FieldProblem[] {
  return errors.flatMap((e) => {
    const name = e.property === undefined ? '' : safeKey(e.property);
    const field = prefix && name ? `${prefix}.${name}` : prefix || name;
    // "entries: item 0 must be an object" already says what "entries.0: must be an object" would.
    if (parentFailed && !e.children?.length && onlyShapeRules(e.constraints)) return [];
    const own = e.constraints ? [{ field, problems: readable(e.constraints, e.property ?? '') }] : [];
    return [...own, ...flatten(e.children ?? [], field, own.length > 0)];
  });
}

function onlyShapeRules(constraints: Record<string, string> | undefined): boolean {
  return constraints !== undefined && Object.keys(constraints).every((k) => k === 'nestedValidation' || k === 'unknownValue');
}

function readable(constraints: Record<string, string>, property: string): string[] {
  const typeKey = TYPE_RULES.find((k) => Object.hasOwn(constraints, k));
  const keys = typeKey ? [typeKey] : Object.keys(constraints);
  return keys.map((k) => READABLE[k] ?? strip(constraints[k]!, property));
}

// class-validator prefixes its messages with the property name, which the field path already says.
function strip(message: string, property: string): string {
  if (message.startsWith(`${property} `)) return message.slice(property.length + 1);
  if (message.startsWith(`each value in ${property} `)) return `each value ${message.slice(`each value in ${property} `.length)}`;
  return message;
}

// Field names come from the payload; keep them short and printable in messages and logs.
function safeKey(key: string): string {
  if (/^[A-Za-z0-9_$-]{1,64}$/.test(key)) return key;
  return JSON.stringify(key.slice(0, 32)) + (key.length > 32 ? '…' : '');
}
