import { existsSync, mkdirSync, readFileSync, renameSync, rmdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DOCKER_HUB_ALIASES, DOCKER_HUB_REGISTRY, registryHostProblem } from '@accelerboat/registry-protocol';
import { CliError } from './errors.js';

/** The first line of every hosts.toml we write: how uninstall tells ours from someone else's. */
export const MARKER = '# Managed by accelerboat containerd-config; `accelerboat containerd-config uninstall` restores the previous file.';

/** Suffix of the copy of a hosts.toml that was there before ours. */
export const BACKUP_SUFFIX = '.accelerboat-backup';

/** What one hosts.toml says. */
export interface HostsTomlSpec {
  /** The registry as image references name it (`docker.io`, `ghcr.io`, `10.0.0.5:5000`). */
  registry: string;
  /** The node's edge-proxy (`http://127.0.0.1:5080`). */
  mirror: string;
  /** The fallback; `https://<registry>` by default (`https://registry-1.docker.io` for Docker Hub). */
  upstream?: string;
  /** Go duration (`1s`, `500ms`) for the mirror's `dial_timeout`; undefined leaves it out. */
  dialTimeout?: string;
}

/** The directory under certs.d that containerd reads for a registry: Docker Hub is `docker.io`. */
export function hostNamespace(registry: string): string {
  const problem = registryHostProblem(registry);
  if (problem) throw new CliError(`--registry ${problem}`);
  const host = registry.toLowerCase();
  return DOCKER_HUB_ALIASES.includes(host) ? 'docker.io' : host;
}

/** The registry's own address for a certs.d namespace: Docker Hub's API is registry-1.docker.io. */
export function upstreamFor(namespace: string, scheme: 'https' | 'http'): string {
  return `${scheme}://${namespace === 'docker.io' ? DOCKER_HUB_REGISTRY : namespace}`;
}

/**
 * The registries under `dir` that hold accelerboat's hosts.toml or its backup of a previous file:
 * what `uninstall --all` undoes, whatever the registries file says today. Directories that are not
 * registry hosts (`_default`) are never ours.
 */
export function installedRegistries(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && registryHostProblem(e.name) === undefined)
    .map((e) => e.name)
    .filter((name) => {
      const path = join(dir, name, 'hosts.toml');
      const current = readIfExists(path);
      return (current !== undefined && isOurs(current)) || existsSync(path + BACKUP_SUFFIX);
    })
    .sort();
}

/**
 * The hosts.toml text: the mirror tried first for pulls and tag resolution, `server` as the
 * fallback containerd uses when the mirror fails. `dial_timeout` is honoured by containerd 2.1
 * and later and ignored by older ones (1.6 and 1.7 read hosts.toml without it).
 */
export function renderHostsToml(spec: HostsTomlSpec): string {
  const ns = hostNamespace(spec.registry);
  const upstream = spec.upstream ?? upstreamFor(ns, 'https');
  checkUrl(upstream, '--upstream');
  checkUrl(spec.mirror, '--mirror');
  if (spec.dialTimeout !== undefined && !/^[1-9][0-9]{0,5}(ms|s|m)$/.test(spec.dialTimeout)) {
    throw new CliError('--dial-timeout must be a Go duration such as 1s or 500ms, or 0 to leave it out');
  }
  return [
    MARKER,
    `server = ${quote(upstream)}`,
    '',
    `[host.${quote(spec.mirror)}]`,
    '  capabilities = ["pull", "resolve"]',
    ...(spec.dialTimeout ? [`  dial_timeout = ${quote(spec.dialTimeout)}`] : []),
    '',
  ].join('\n');
}

/** What install or uninstall did. */
export interface HostsChange {
  action: 'install' | 'uninstall';
  path: string;
  /** False when the file already was (or already was not) ours: nothing was written. */
  changed: boolean;
  /** Where the previous file is kept (install) or was restored from (uninstall). */
  backup?: string;
  /** One line for people. */
  summary: string;
}

/**
 * Writes `<dir>/<registry>/hosts.toml`. A file that is not ours is first kept as
 * hosts.toml.accelerboat-backup; installing again only rewrites our own file, so the backup is
 * never overwritten by a second install.
 */
export function installHostsToml(dir: string, spec: HostsTomlSpec): HostsChange {
  const text = renderHostsToml(spec);
  const path = join(dir, hostNamespace(spec.registry), 'hosts.toml');
  const backup = path + BACKUP_SUFFIX;
  const current = readIfExists(path);
  if (current === text) return { action: 'install', path, changed: false, ...(existsSync(backup) ? { backup } : {}), summary: `${path} is already up to date` };
  mkdirSync(dirname(path), { recursive: true });
  if (current !== undefined && !isOurs(current)) {
    if (existsSync(backup)) throw new CliError(`${path} was replaced since accelerboat installed it and ${backup} still holds an older file; move one of them away first`);
    renameSync(path, backup);
  }
  writeAtomically(path, text);
  const kept = existsSync(backup) ? backup : undefined;
  return { action: 'install', path, changed: true, ...(kept ? { backup: kept } : {}), summary: `wrote ${path}${kept ? ` (previous file kept as ${kept})` : ''}` };
}

/**
 * Undoes install: the backup goes back in place, or our file is removed when there was none
 * (with the registry's directory, when that is left empty). A hosts.toml that is not ours is
 * left alone.
 */
export function uninstallHostsToml(dir: string, registry: string): HostsChange {
  const nsDir = join(dir, hostNamespace(registry));
  const path = join(nsDir, 'hosts.toml');
  const backup = path + BACKUP_SUFFIX;
  const current = readIfExists(path);
  if (current !== undefined && !isOurs(current)) {
    return { action: 'uninstall', path, changed: false, summary: `${path} was not written by accelerboat; left unchanged` };
  }
  if (existsSync(backup)) {
    renameSync(backup, path);
    return { action: 'uninstall', path, changed: true, backup, summary: `restored ${path} from ${backup}` };
  }
  if (current === undefined) return { action: 'uninstall', path, changed: false, summary: `${path} is not installed; nothing to do` };
  rmSync(path);
  if (readdirSync(nsDir).length === 0) rmdirSync(nsDir);
  return { action: 'uninstall', path, changed: true, summary: `removed ${path}` };
}

function isOurs(text: string): boolean {
  return text.startsWith(MARKER);
}

function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

// containerd may read the file at any moment (it rereads hosts.toml on every pull): never let it
// see half of one.
function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.accelerboat-tmp`;
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, path);
}

function checkUrl(value: string, option: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError(`${option} must be a URL such as http://127.0.0.1:5080`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`${option} must use http or https`);
  if (url.username || url.password) throw new CliError(`${option} must not hold credentials`);
  if (/["\\\s]/.test(value)) throw new CliError(`${option} must not contain quotes, backslashes or spaces`);
}

// Values are checked URLs and durations; quoting still escapes, so the file stays valid TOML.
function quote(value: string): string {
  return JSON.stringify(value);
}
