import type { ValidationOptions } from 'class-validator';
import { ProtocolError } from '../errors.js';
import { rule } from '../rule.js';
import { digestProblem } from './digest.js';

/*
 * Repository names, tags and manifest references, as the distribution grammar defines them
 * (https://github.com/distribution/distribution/blob/main/reference/reference.go and
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests).
 * A name that passes here is safe as a cache key, a Redis key part and a relative path: it has no
 * empty, "." or ".." components, no uppercase, no percent-escapes and nothing outside ASCII.
 */

/** Longest repository name, in characters (`NameTotalLengthMax` in reference.go). */
export const REPOSITORY_NAME_MAX_LENGTH = 255;

/** Longest tag, in characters: one leading character plus up to 127 more. */
export const TAG_MAX_LENGTH = 128;

// One path component: lowercase alphanumerics, joined by ".", "_", "__" or a run of "-".
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** Thrown by the parsers of this folder; crosses the wire as INVALID_ARGUMENT. */
export class InvalidReferenceError extends ProtocolError {
  override name = 'InvalidReferenceError';

  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}

/** Why a value is not a repository name (`library/ubuntu`), or undefined when it is one. */
export function repositoryNameProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length === 0) return 'must not be empty';
  if (value.length > REPOSITORY_NAME_MAX_LENGTH) return `must be at most ${REPOSITORY_NAME_MAX_LENGTH} characters`;
  if (value.startsWith('/') || value.endsWith('/')) return 'must not start or end with "/"';
  const components = value.split('/');
  for (const [i, component] of components.entries()) {
    if (PATH_COMPONENT.test(component)) continue;
    if (component === '') return 'must not contain empty path components ("//")';
    if (component === '.' || component === '..') return 'must not contain "." or ".." path components';
    if (/[A-Z]/.test(component)) return 'must be lowercase';
    return `path component ${i + 1} must be lowercase letters and digits separated by ".", "_", "__" or "-"`;
  }
  return undefined;
}

/** True when the value is a valid repository name. */
export function isRepositoryName(value: unknown): value is string {
  return repositoryNameProblem(value) === undefined;
}

/** Why a value is not a tag (`[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`), or undefined when it is one. */
export function tagProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length === 0) return 'must not be empty';
  if (value.length > TAG_MAX_LENGTH) return `must be at most ${TAG_MAX_LENGTH} characters`;
  if (TAG.test(value)) return undefined;
  if (/^[.-]/.test(value)) return 'must start with a letter, a digit or "_"';
  return 'may only contain letters, digits, "_", "." and "-"';
}

/** True when the value is a valid tag. */
export function isTag(value: unknown): value is string {
  return tagProblem(value) === undefined;
}

/** The `<reference>` of `/v2/<name>/manifests/<reference>`: a tag or a digest. */
export type Reference = { kind: 'tag'; value: string } | { kind: 'digest'; value: string };

/**
 * Why a value is not a manifest reference, or undefined when it is one. A tag never contains
 * ":", so the colon alone decides which grammar applies.
 */
export function referenceProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.includes(':')) {
    const problem = digestProblem(value);
    return problem && `must be a tag or a digest; as a digest it ${problem}`;
  }
  const problem = tagProblem(value);
  return problem && `must be a tag or a digest; as a tag it ${problem}`;
}

/** Splits a manifest reference into tag or digest; throws InvalidReferenceError when it is neither. */
export function parseReference(value: unknown): Reference {
  const problem = referenceProblem(value);
  if (problem) throw new InvalidReferenceError(`reference ${problem}`);
  const s = value as string;
  return s.includes(':') ? { kind: 'digest', value: s } : { kind: 'tag', value: s };
}

/** class-validator decorator: the property is a repository name. */
export function IsRepositoryName(options?: ValidationOptions): PropertyDecorator {
  return rule('isRepositoryName', repositoryNameProblem, options);
}

/** class-validator decorator: the property is a tag. */
export function IsTag(options?: ValidationOptions): PropertyDecorator {
  return rule('isTag', tagProblem, options);
}

/** class-validator decorator: the property is a manifest reference (tag or digest). */
export function IsReference(options?: ValidationOptions): PropertyDecorator {
  return rule('isReference', referenceProblem, options);
}
