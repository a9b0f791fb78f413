import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ExecResult, ImageFixture, NetnsHost, ProcessHandle } from '@accelerboat/testing';

const run = promisify(execFile);

/** A node's containerd (no CRI), running inside the node's namespace, driven with ctr from there. */
export interface NodeContainerd {
  socket: string;
  /** The containerd namespace images go to (and the edge-proxy and layer-indexer read). */
  namespace: string;
  process: ProcessHandle;
  /** `ctr -a <socket> -n <namespace> <args>`, run inside the node's namespace. */
  ctr(args: string[], timeoutMs?: number): Promise<ExecResult>;
  /**
   * `ctr images pull` with a hosts.toml that sends `<registry>` to `mirrorUrl` and otherwise to a
   * port where nothing listens: the pull can only succeed through the mirror.
   */
  pullThrough(mirrorUrl: string, registry: string, repository: string, tag: string): Promise<ExecResult>;
  /** Imports an OCI layout as `<name>:<image.tag>` without a registry (and without unpacking). */
  importImage(image: ImageFixture, name: string): Promise<void>;
  /** Digests in the content store. */
  contentDigests(): Promise<Set<string>>;
}

/** Starts containerd 1.6 in `host`'s namespace with its root, state and socket under `dir`. */
export async function startNodeContainerd(host: NetnsHost, dir: string, logFile: string): Promise<NodeContainerd> {
  mkdirSync(dir, { recursive: true });
  const socket = join(dir, 'containerd.sock');
  const config = join(dir, 'config.toml');
  const namespace = 'k8s.io';
  // The opt plugin would otherwise create /opt/containerd; CRI is off (there is no kubelet).
  writeFileSync(
    config,
    [
      'version = 2',
      `root = "${dir}/root"`,
      `state = "${dir}/state"`,
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      '[grpc]',
      `  address = "${socket}"`,
      '[ttrpc]',
      `  address = "${socket}.ttrpc"`,
      '[debug]',
      `  address = "${dir}/debug.sock"`,
      '[plugins."io.containerd.internal.v1.opt"]',
      `  path = "${dir}/opt"`,
      '',
    ].join('\n'),
  );
  const process = await host.start({ name: 'containerd', command: 'containerd', args: ['--config', config], logFile, readyWhen: { logLine: /containerd successfully booted/ }, timeoutMs: 30_000 });
  // NO_PROXY: ctr fetches itself (containerd 1.6), and a proxy is unreachable from the namespace.
  const ctr = (args: string[], timeoutMs = 120_000): Promise<ExecResult> =>
    host.exec('ctr', ['-a', socket, '-n', namespace, ...args], { timeoutMs, env: { NO_PROXY: '*', no_proxy: '*' } });
  let pulls = 0;
  return {
    socket,
    namespace,
    process,
    ctr,
    async pullThrough(mirrorUrl, registry, repository, tag) {
      const hostsDir = join(dir, `hosts-${++pulls}`);
      mkdirSync(join(hostsDir, registry), { recursive: true });
      const dead = `http://${registry.split(':')[0]}:1`;
      writeFileSync(join(hostsDir, registry, 'hosts.toml'), `server = "${dead}"\n\n[host."${mirrorUrl}"]\n  capabilities = ["pull", "resolve"]\n`);
      return ctr(['images', 'pull', '--plain-http', '--hosts-dir', hostsDir, `${registry}/${repository}:${tag}`]);
    },
    async importImage(image, name) {
      const tar = join(dir, `import-${image.manifest.digest.slice(7, 19)}.tar`);
      await run('tar', ['-cf', tar, '-C', image.dir, '.']);
      await ctr(['images', 'import', '--no-unpack', '--base-name', name, tar]);
    },
    async contentDigests() {
      const { stdout } = await ctr(['content', 'ls', '-q']);
      return new Set(stdout.split('\n').filter(Boolean));
    },
  };
}
