import { readFileSync } from 'node:fs';
import { registryHostProblem } from '@accelerboat/registry-protocol';
import { CliError } from './errors.js';
import { hostNamespace, upstreamFor } from './hosts-toml.js';

/** One registry of a registries file, as containerd-config needs it. */
export interface ConfiguredRegistry {
  /** `originalHost`, as written in the file. */
  registry: string;
  /** `<scheme>://<host>`: the registry's own address, containerd's fallback (`server`). */
  upstream: string;
}

/**
 * The registries of REGISTRIES_FILE's JSON (`{"registries":[{"originalHost":…,"scheme"?:…}]}`),
 * the file the edge-proxy, coordinator and seeder read: one entry per certs.d directory, in file
 * order. Only `originalHost` and `scheme` matter here; the apps validate the rest (users,
 * proxyHost, TLS files) at start-up. Errors name the file and the field, never a value.
 */
export function readRegistriesFile(path: string): ConfiguredRegistry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`--registries-file ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError(`--registries-file ${path}: not valid JSON`);
  }
  const list = isObject(parsed) ? parsed.registries : undefined;
  if (!Array.isArray(list)) throw new CliError(`--registries-file ${path}: must be an object with a "registries" list`);
  const byNamespace = new Map<string, ConfiguredRegistry>();
  list.forEach((entry: unknown, i) => {
    const at = `--registries-file ${path}: registries[${i}]`;
    if (!isObject(entry)) throw new CliError(`${at} must be an object`);
    const problem = registryHostProblem(entry.originalHost);
    if (problem) throw new CliError(`${at}.originalHost ${problem}`);
    const scheme = entry.scheme ?? 'https';
    if (scheme !== 'https' && scheme !== 'http') throw new CliError(`${at}.scheme must be https or http`);
    const registry = entry.originalHost as string;
    const ns = hostNamespace(registry);
    const upstream = upstreamFor(ns, scheme);
    const seen = byNamespace.get(ns);
    // docker.io and registry-1.docker.io share one directory: fine when they agree.
    if (seen && seen.upstream !== upstream) throw new CliError(`${at}: ${registry} and ${seen.registry} both configure ${ns}, with different schemes`);
    if (!seen) byNamespace.set(ns, { registry, upstream });
  });
  return [...byNamespace.values()];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
