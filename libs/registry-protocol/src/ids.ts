import type { ValidationOptions } from 'class-validator';
import { ProtocolError } from './errors.js';
import { rule } from './rule.js';

/**
 * Identifiers of nodes (edge proxies, layer indexers, seeders) and of seeder jobs.
 *
 * They appear as one token of a NATS subject (`p2p.seeder.{seeder}.job.assign.v1`), in Redis keys
 * and in file names, so the grammar is the intersection of what all three accept:
 * `[A-Za-z0-9_-]{1,128}`. No dots (a dot splits a subject), no `*` or `>` (wildcards), no spaces.
 * Wire-stable: widening this grammar would break every subscriber that relies on it.
 */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/** Longest node or job id, in characters. */
export const ID_MAX_LENGTH = 128;

/** A node id: names one edge-proxy, layer-indexer or seeder instance. */
export type NodeId = string;

/** A seeder job id, chosen by the coordinator that assigns the job. */
export type JobId = string;

/** Why a value is not a node or job id, or undefined when it is one. */
export function idProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length === 0) return 'must not be empty';
  if (value.length > ID_MAX_LENGTH) return `must be at most ${ID_MAX_LENGTH} characters`;
  if (!ID_PATTERN.test(value)) return 'may only contain letters, digits, "_" and "-" (it is used as a NATS subject token)';
  return undefined;
}

/** True when the value can be used as a node id (and so as one NATS subject token). */
export function isNodeId(value: unknown): value is NodeId {
  return idProblem(value) === undefined;
}

/** True when the value can be used as a job id. Same grammar as node ids. */
export function isJobId(value: unknown): value is JobId {
  return idProblem(value) === undefined;
}

/**
 * Derives a node id from a Kubernetes node name. Node names are lowercase DNS subdomains
 * (`ip-10-0-1-7.ec2.internal`), whose dots cannot appear in a subject token; they never contain
 * `_`, so replacing each `.` with `_` keeps distinct nodes distinct. Throws INVALID_ARGUMENT when
 * the result is still not a valid id (for example a name longer than 128 characters).
 */
export function nodeIdFromNodeName(nodeName: string): NodeId {
  const id = nodeName.replaceAll('.', '_');
  const problem = idProblem(id);
  if (problem) throw new ProtocolError('INVALID_ARGUMENT', `node name cannot be used as a node id: it ${problem}`);
  return id;
}

/** class-validator decorator: the property is a node id (`[A-Za-z0-9_-]{1,128}`). */
export function IsNodeId(options?: ValidationOptions): PropertyDecorator {
  return rule('isNodeId', idProblem, options);
}

/** class-validator decorator: the property is a job id (`[A-Za-z0-9_-]{1,128}`). */
export function IsJobId(options?: ValidationOptions): PropertyDecorator {
  return rule('isJobId', idProblem, options);
}
