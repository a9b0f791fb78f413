import { join } from 'node:path';
import { hostNamespace, installedRegistries, installHostsToml, renderHostsToml, uninstallHostsToml, type HostsChange, type HostsTomlSpec } from '../hosts-toml.js';
import { CliError } from '../errors.js';
import { printJson, type Io } from '../io.js';
import { readRegistriesFile } from '../registries-file.js';

/** Options of `containerd-config`. */
export interface ContainerdConfigOptions {
  json: boolean;
  /** One registry (`--registry`)… */
  registry?: string;
  /** …or every `originalHost` of a registries file (`--registries-file`)… */
  registriesFile?: string;
  /** …or, for uninstall, every registry accelerboat configured under `dir` (`--all`). */
  all?: boolean;
  /** With install --registries-file: also undo accelerboat's files for registries not in it. */
  prune?: boolean;
  mirror?: string;
  upstream?: string;
  /** containerd's `config_path` (`/etc/containerd/certs.d`). */
  dir: string;
  /** Go duration, or `0` to leave `dial_timeout` out. */
  dialTimeout: string;
  /** Print the file instead of writing it. */
  print: boolean;
}

/** The default edge-proxy address on a node (hostNetwork DaemonSet, HTTP_PORT 5080). */
export const DEFAULT_MIRROR = 'http://127.0.0.1:5080';

/**
 * `install` writes `<dir>/<registry>/hosts.toml` pointing containerd at the node's edge-proxy
 * with the upstream as fallback, keeping any previous file as hosts.toml.accelerboat-backup;
 * `uninstall` puts that file back (or removes ours). Both are idempotent. containerd rereads
 * hosts.toml on every pull, so no restart is needed (config_path must point at `dir`).
 *
 * The registries are one `--registry`, every `originalHost` of `--registries-file` (what the
 * edge-proxy's init container does, with `--prune` so that registries dropped from the file are
 * undone too), or for uninstall `--all` that accelerboat wrote. With several, each is handled even
 * when one fails; the command then fails naming every failure.
 */
export function containerdConfigCommand(io: Io, action: 'install' | 'uninstall', opts: ContainerdConfigOptions): void {
  const chosen = [opts.registry !== undefined, opts.registriesFile !== undefined, opts.all === true].filter(Boolean).length;
  if (chosen !== 1) throw new CliError('name the registries with exactly one of --registry, --registries-file or --all', 2);
  if (opts.all && action !== 'uninstall') throw new CliError('--all is for uninstall; install takes --registry or --registries-file', 2);
  if (opts.upstream !== undefined && opts.registry === undefined) throw new CliError('--upstream goes with --registry; a registries file gives each upstream by its scheme', 2);
  if (opts.print && action !== 'install') throw new CliError('--print is for install', 2);
  if (opts.prune && (action !== 'install' || opts.registriesFile === undefined)) throw new CliError('--prune goes with install --registries-file', 2);

  if (opts.registry !== undefined) {
    if (action === 'install') {
      const spec = specOf(opts, opts.registry, opts.upstream);
      if (opts.print) {
        const text = renderHostsToml(spec);
        return opts.json ? printJson(io, { hostsToml: text }) : io.out(text.trimEnd());
      }
      const change = installHostsToml(opts.dir, spec);
      return opts.json ? printJson(io, change) : io.out(change.summary);
    }
    const change = uninstallHostsToml(opts.dir, opts.registry);
    return opts.json ? printJson(io, change) : io.out(change.summary);
  }

  const registries = opts.registriesFile !== undefined ? readRegistriesFile(opts.registriesFile) : installedRegistries(opts.dir).map((registry) => ({ registry, upstream: undefined }));
  if (action === 'install') {
    // Every file is rendered (and so checked) before the first one is written.
    const specs = registries.map((r) => specOf(opts, r.registry, r.upstream));
    if (opts.print) {
      const files = specs.map((spec) => ({ path: join(opts.dir, hostNamespace(spec.registry), 'hosts.toml'), hostsToml: renderHostsToml(spec) }));
      if (opts.json) return printJson(io, files);
      files.forEach((f, i) => {
        if (i > 0) io.out('');
        io.out(`# ${f.path}`);
        io.out(f.hostsToml.trimEnd());
      });
      return;
    }
    const steps: [string, () => HostsChange][] = specs.map((spec) => [spec.registry, () => installHostsToml(opts.dir, spec)]);
    if (opts.prune) {
      // Registries dropped from the file since: containerd would still try the mirror first.
      const wanted = new Set(registries.map((r) => hostNamespace(r.registry)));
      for (const stale of installedRegistries(opts.dir).filter((ns) => !wanted.has(ns))) steps.push([stale, () => uninstallHostsToml(opts.dir, stale)]);
    }
    return applyEach(io, opts, steps);
  }
  return applyEach(io, opts, registries.map((r) => [r.registry, () => uninstallHostsToml(opts.dir, r.registry)]));
}

function specOf(opts: ContainerdConfigOptions, registry: string, upstream: string | undefined): HostsTomlSpec {
  return {
    registry,
    mirror: opts.mirror ?? DEFAULT_MIRROR,
    ...(upstream ? { upstream } : {}),
    ...(opts.dialTimeout !== '0' ? { dialTimeout: opts.dialTimeout } : {}),
  };
}

// One line (or one JSON entry) per registry; a failure does not stop the others, the exit code says it.
function applyEach(io: Io, opts: ContainerdConfigOptions, steps: [string, () => HostsChange][]): void {
  const changes: HostsChange[] = [];
  const failures: string[] = [];
  for (const [registry, step] of steps) {
    try {
      const change = step();
      changes.push(change);
      if (!opts.json) io.out(change.summary);
    } catch (e) {
      // Ours (a replaced file with an older backup) or the file system's (EACCES, EROFS).
      const line = `${registry}: ${e instanceof Error ? e.message : String(e)}`;
      failures.push(line);
      io.err(line);
    }
  }
  if (opts.json) printJson(io, changes);
  else if (!steps.length) io.out(opts.all ? `no hosts.toml written by accelerboat under ${opts.dir}; nothing to do` : `no registries in ${opts.registriesFile}; nothing to do`);
  if (failures.length) throw new CliError(`${failures.length} of ${steps.length} registries failed`);
}
