import type { ValidationOptions } from 'class-validator';
import { rule } from '../rule.js';
import { InvalidReferenceError, repositoryNameProblem } from './reference.js';

/*
 * Token scopes, as in the distribution token auth spec
 * (https://github.com/distribution/distribution/blob/main/docs/content/spec/auth/scope.md):
 * `repository:<name>:<action>[,<action>...]`. Only repository scopes are carried: pulls need
 * nothing else, and refusing the rest (`registry:catalog:*`) keeps a node from asking the
 * coordinator for broader tokens than a pull requires.
 */

/** Longest action list we accept in one scope. */
export const SCOPE_MAX_ACTIONS = 8;

/** Longest scope string, in characters: a full-length name plus a generous action list. */
export const SCOPE_MAX_LENGTH = 512;

const ACTION = /^(?:[a-z]{1,32}|\*)$/;

/** One parsed repository scope. */
export interface TokenScope {
  /** Always `repository`: the only resource type carried. */
  type: 'repository';
  /** The repository name, e.g. `library/ubuntu`. */
  name: string;
  /** Requested actions, e.g. `['pull']`. */
  actions: string[];
}

/** Why a value is not a repository scope, or undefined when it is one. */
export function tokenScopeProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length > SCOPE_MAX_LENGTH) return `must be at most ${SCOPE_MAX_LENGTH} characters`;
  const parts = value.split(':');
  if (parts.length !== 3 || parts[0] !== 'repository') return 'must be repository:<name>:<actions>';
  const nameProblem = repositoryNameProblem(parts[1]);
  if (nameProblem) return `must name a valid repository: it ${nameProblem}`;
  const actions = parts[2]!.split(',');
  if (actions.length > SCOPE_MAX_ACTIONS) return `must have at most ${SCOPE_MAX_ACTIONS} actions`;
  if (!actions.every((a) => ACTION.test(a))) return 'actions must be lowercase words or "*", separated by ","';
  return undefined;
}

/** True when the value is a repository scope. */
export function isTokenScope(value: unknown): value is string {
  return tokenScopeProblem(value) === undefined;
}

/** Splits a scope into its parts; throws InvalidReferenceError when it is not a repository scope. */
export function parseTokenScope(value: unknown): TokenScope {
  const problem = tokenScopeProblem(value);
  if (problem) throw new InvalidReferenceError(`scope ${problem}`);
  const [, name, actions] = (value as string).split(':');
  return { type: 'repository', name: name!, actions: actions!.split(',') };
}

/** Builds the scope string for a repository, `pull` access by default. */
export function repositoryScope(name: string, actions: readonly string[] = ['pull']): string {
  const scope = `repository:${name}:${actions.join(',')}`;
  const problem = tokenScopeProblem(scope);
  if (problem) throw new InvalidReferenceError(`scope ${problem}`);
  return scope;
}

/** class-validator decorator: the property is a repository scope (use `{ each: true }` on arrays). */
export function IsTokenScope(options?: ValidationOptions): PropertyDecorator {
  return rule('isTokenScope', tokenScopeProblem, options);
}
