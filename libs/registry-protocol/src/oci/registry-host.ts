import type { ValidationOptions } from 'class-validator';
import { rule } from '../rule.js';
import { InvalidReferenceError } from './reference.js';

/*
 * Registry hosts: the `<host>[:port]` part of an image reference and the value of containerd's
 * `?ns=` query parameter. The grammar follows the domain part of reference.go
 * (https://github.com/distribution/distribution/blob/main/reference/regexp.go): a DNS name, an
 * IPv4 address or a bracketed IPv6 address, with an optional port. No scheme, no path, no
 * credentials, no trailing dot, so that one registry has one spelling in every cache key.
 */

/** Longest registry host, port included, in characters (the DNS name limit). */
export const REGISTRY_HOST_MAX_LENGTH = 253;

/** Where Docker Hub's registry API really lives; `docker.io` is only its image-name alias. */
export const DOCKER_HUB_REGISTRY = 'registry-1.docker.io';

/** Names that mean Docker Hub in image references and in containerd's `?ns=`. */
export const DOCKER_HUB_ALIASES: readonly string[] = ['docker.io', 'index.docker.io', 'registry-1.docker.io'];

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const IPV4_OCTET = /^(?:0|[1-9][0-9]{0,2})$/;
// A last label that URL parsers read as a number (`1`, `0x7f`) turns the whole host into an IPv4
// address (`0x7f.1` is 127.0.0.1 to WHATWG URL), so such hosts must be plain dotted quads.
const NUMERIC_LABEL = /^(?:[0-9]+|0x[0-9a-f]*)$/i;

/** Why a value is not a registry host (`ghcr.io`, `10.0.0.5:5000`, `[fd00::1]:443`), or undefined. */
export function registryHostProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length === 0) return 'must not be empty';
  if (value.length > REGISTRY_HOST_MAX_LENGTH) return `must be at most ${REGISTRY_HOST_MAX_LENGTH} characters`;
  if (value.includes('://')) return 'must be a host without a scheme';
  if (value.includes('/')) return 'must be a host without a path';
  if (value.includes('@')) return 'must be a host without credentials';
  const { host, port } = splitPort(value);
  if (port !== undefined && !isPort(port)) return 'port must be a number from 1 to 65535';
  if (host.startsWith('[')) {
    if (!host.endsWith(']') || !isIPv6(host.slice(1, -1))) return 'must be a valid IPv6 address in brackets';
    return undefined;
  }
  if (host.includes(':')) return 'IPv6 addresses must be written in brackets';
  return hostnameProblem(host);
}

/** True when the value is a valid registry host. */
export function isRegistryHost(value: unknown): value is string {
  return registryHostProblem(value) === undefined;
}

/**
 * The canonical spelling of a registry host: lowercase, with Docker Hub's aliases mapped to the
 * host that serves its API (containerd sends `?ns=docker.io`, but `docker.io/v2/` is not a
 * registry). Idempotent. Throws InvalidReferenceError for anything that is not a registry host.
 */
export function normalizeRegistryHost(value: unknown): string {
  const problem = registryHostProblem(value);
  if (problem) throw new InvalidReferenceError(`registry host ${problem}`);
  const host = (value as string).toLowerCase();
  return DOCKER_HUB_ALIASES.includes(host) ? DOCKER_HUB_REGISTRY : host;
}

/** class-validator decorator: the property is a registry host (`host[:port]`). */
export function IsRegistryHost(options?: ValidationOptions): PropertyDecorator {
  return rule('isRegistryHost', registryHostProblem, options);
}

function splitPort(value: string): { host: string; port?: string } {
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    if (end < 0 || end === value.length - 1) return { host: value };
    if (value[end + 1] !== ':') return { host: value };
    return { host: value.slice(0, end + 1), port: value.slice(end + 2) };
  }
  const colon = value.indexOf(':');
  if (colon < 0 || colon !== value.lastIndexOf(':')) return { host: value };
  return { host: value.slice(0, colon), port: value.slice(colon + 1) };
}

function isPort(port: string): boolean {
  return /^[1-9][0-9]{0,4}$/.test(port) && Number(port) <= 65535;
}

function hostnameProblem(host: string): string | undefined {
  if (host.length === 0) return 'must name a host before the port';
  if (host.endsWith('.')) return 'must not end with "."';
  const labels = host.split('.');
  if (NUMERIC_LABEL.test(labels.at(-1)!)) return isIPv4(labels) ? undefined : 'must be a valid IPv4 address';
  if (labels.some((l) => !LABEL.test(l))) return 'must be a DNS name (letters, digits and "-", labels of 1 to 63 characters)';
  return undefined;
}

function isIPv4(parts: string[]): boolean {
  return parts.length === 4 && parts.every((p) => IPV4_OCTET.test(p) && Number(p) <= 255);
}

/** RFC 4291 text form without a zone: eight hex groups, one `::` at most, optional IPv4 tail. */
function isIPv6(text: string): boolean {
  if (!/^[0-9A-Fa-f:.]{2,45}$/.test(text)) return false;
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = halves.map((h) => (h === '' ? [] : h.split(':')));
  const all = groups.flat();
  const last = all.at(-1);
  let count = all.length;
  if (last?.includes('.')) {
    if (groups.at(-1)!.at(-1) !== last || !isIPv4(last.split('.'))) return false;
    count += 1;
    all.pop();
  }
  if (!all.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? count <= 7 : count === 8;
}
