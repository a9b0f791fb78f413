import { installHostsToml, renderHostsToml, uninstallHostsToml, type HostsTomlSpec } from '../hosts-toml.js';
import { printJson, type Io } from '../io.js';

/** Options of `containerd-config`. */
export interface ContainerdConfigOptions {
  json: boolean;
  registry: string;
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
 */
export function containerdConfigCommand(io: Io, action: 'install' | 'uninstall', opts: ContainerdConfigOptions): void {
  if (action === 'install') {
    const spec: HostsTomlSpec = {
      registry: opts.registry,
      mirror: opts.mirror ?? DEFAULT_MIRROR,
      ...(opts.upstream ? { upstream: opts.upstream } : {}),
      ...(opts.dialTimeout !== '0' ? { dialTimeout: opts.dialTimeout } : {}),
    };
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
