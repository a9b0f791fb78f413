import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startProcess, tempDir, type ProcessHandle } from '@accelerboat/testing';

const run = promisify(execFile);

/** Result of one client pull. */
export interface PullResult {
  stdout: string;
  stderr: string;
}

/** A throwaway containerd (no CRI) with its own root, state and socket. */
export interface Containerd {
  socket: string;
  dir: string;
  ctr(args: string[], opts?: { timeoutMs?: number }): Promise<PullResult>;
  stop(): Promise<void>;
}

export async function startContainerd(): Promise<Containerd> {
  const dir = tempDir('ab-containerd-');
  const socket = join(dir.path, 'containerd.sock');
  const config = `version = 2
root = "${dir.path}/root"
state = "${dir.path}/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "${socket}"
[ttrpc]
  address = "${socket}.ttrpc"
[debug]
  address = "${dir.path}/debug.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "${dir.path}/opt"
`;
  writeFileSync(join(dir.path, 'config.toml'), config);
  const proc: ProcessHandle = await startProcess({
    name: 'containerd',
    command: 'containerd',
    args: ['--config', join(dir.path, 'config.toml')],
    readyWhen: { logLine: /containerd successfully booted/ },
    timeoutMs: 20_000,
  });
  return {
    socket,
    dir: dir.path,
    ctr: async (args, opts) => run('ctr', ['-a', socket, ...args], { timeout: opts?.timeoutMs ?? 120_000, maxBuffer: 16 << 20 }),
    async stop() {
      await proc.stop();
      await dir.remove();
    },
  };
}

/** A containerd hosts.toml directory that sends `registry` to the mirror first, the registry itself second. */
export function writeHostsDir(dir: string, registry: string, mirrorUrl: string, serverUrl = `http://${registry}`): string {
  const hostsDir = join(dir, 'certs.d');
  mkdirSync(join(hostsDir, registry), { recursive: true });
  writeFileSync(join(hostsDir, registry, 'hosts.toml'), `server = "${serverUrl}"\n\n[host."${mirrorUrl}"]\n  capabilities = ["pull", "resolve"]\n`);
  return dir;
}

/** A containers registries.conf that mirrors `registry` through `mirrorHost` (host:port), both plain HTTP. */
export function writeRegistriesConf(dir: string, registry: string, mirrorHost: string): string {
  const path = join(dir, 'registries.conf');
  writeFileSync(
    path,
    `unqualified-search-registries = []\n[[registry]]\nprefix = "${registry}"\nlocation = "${registry}"\ninsecure = true\n[[registry.mirror]]\nlocation = "${mirrorHost}"\ninsecure = true\n`,
  );
  return path;
}

/** skopeo copy through a registries.conf mirror into an OCI layout; credentials via an authfile keyed by the mirror. */
export async function skopeoCopy(opts: { image: string; registriesConf: string; dest: string; authFile?: string }): Promise<PullResult> {
  const args = ['--registries-conf', opts.registriesConf, 'copy', '--src-tls-verify=false'];
  if (opts.authFile) args.push('--src-authfile', opts.authFile);
  args.push(`docker://${opts.image}`, `oci:${opts.dest}:pulled`);
  return run('skopeo', args, { timeout: 120_000, maxBuffer: 16 << 20 });
}

/** podman pull with its own storage (vfs) and the given registries.conf. */
export async function podmanPull(opts: { image: string; registriesConf: string; root: string; authFile?: string }): Promise<PullResult> {
  const args = ['--root', join(opts.root, 'root'), '--runroot', join(opts.root, 'run'), '--storage-driver', 'vfs'];
  args.push('--cgroup-manager', 'cgroupfs', '--events-backend', 'file', 'pull', '--tls-verify=false');
  if (opts.authFile) args.push('--authfile', opts.authFile);
  args.push(opts.image);
  return run('podman', args, { timeout: 180_000, maxBuffer: 16 << 20, env: { ...process.env, CONTAINERS_REGISTRIES_CONF: opts.registriesConf } });
}

/** A containers-auth.json giving `user:pass` for `host`. */
export function writeAuthFile(dir: string, host: string, user: string, pass: string): string {
  const path = join(dir, `auth-${host.replace(/[^a-z0-9]/gi, '_')}.json`);
  writeFileSync(path, JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${user}:${pass}`).toString('base64') } } }));
  return path;
}
