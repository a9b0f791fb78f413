// Integration-test helper: a throwaway containerd (no CRI) with its own root, state and socket,
// driven with ctr. Exported as `@accelerboat/containerd-client/testing` for other packages' tests.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startProcess, tempDir, type ImageFixture, type ProcessHandle } from '@accelerboat/testing';
import { openContainerdClients } from './grpc-api.js';
import { namespaceMetadata } from './grpc-errors.js';

const run = promisify(execFile);

/** A running containerd started by {@link startContainerd}. */
export interface ContainerdFixture {
  /** Path of the gRPC socket. */
  socket: string;
  /** Its work dir (config, root, state). */
  dir: string;
  /** The content store directory: `<contentDir>/blobs/sha256/<hex>`. */
  contentDir: string;
  /** Runs `ctr -a <socket> -n <namespace> <args>`. */
  ctr(args: string[], opts?: { namespace?: string; input?: Buffer }): Promise<string>;
  /** Commits a blob (labelled as a GC root so that it stays) and returns its digest. */
  ingest(bytes: Buffer, labels?: Record<string, string>, namespace?: string): Promise<string>;
  /** Imports an OCI layout as image `<name>:<tag>` without unpacking it. */
  importImage(image: ImageFixture, name: string, namespace?: string): Promise<string>;
  /** Stops the daemon and starts it again on the same root and socket. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Commits a blob over the content service's Write call, labelled as a GC root in the same step.
 * (`ctr content ingest` + `ctr content label` loses the race against the garbage collection that
 * ctr's own lease deletion triggers.)
 */
async function writeBlob(socket: string, namespace: string, bytes: Buffer, labels: Record<string, string>): Promise<string> {
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  const clients = openContainerdClients(socket);
  try {
    const call = clients.content.Write(namespaceMetadata(namespace));
    const done = new Promise<void>((resolve, reject) => {
      call.on('data', (res: { action: string }) => res.action === 'COMMIT' && resolve());
      call.on('error', reject);
      call.on('end', resolve);
    });
    const chunk = 1 << 20;
    const base = { ref: `fixture-${digest.slice(7, 23)}-${Date.now()}`, total: bytes.length, expected: digest, labels: {} };
    for (let off = 0; off + chunk < bytes.length; off += chunk) call.write({ ...base, action: 1, offset: off, data: bytes.subarray(off, off + chunk) });
    const last = Math.max(0, Math.ceil(bytes.length / chunk) - 1) * chunk;
    call.write({ ...base, action: 2, offset: last, data: bytes.subarray(last), labels: { 'containerd.io/gc.root': new Date().toISOString(), ...labels } });
    await done;
    call.end();
    return digest;
  } finally {
    clients.close();
  }
}

/** Starts containerd 1.6 as root in a temp dir (see environment-recipes §4b). Default namespace: k8s.io. */
export async function startContainerd(opts: { namespace?: string } = {}): Promise<ContainerdFixture> {
  const defaultNs = opts.namespace ?? 'k8s.io';
  const dir = tempDir('ab-containerd-');
  const socket = join(dir.path, 'containerd.sock');
  const config = join(dir.path, 'config.toml');
  // The opt plugin would otherwise create /opt/containerd; CRI is off (no kubelet here).
  writeFileSync(
    config,
    `version = 2
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
`,
  );
  const start = (): Promise<ProcessHandle> =>
    startProcess({ name: 'containerd', command: 'containerd', args: ['--config', config], readyWhen: { logLine: /containerd successfully booted/ }, timeoutMs: 20_000 });
  let proc = await start();

  const ctr = async (args: string[], o: { namespace?: string; input?: Buffer } = {}): Promise<string> => {
    const argv = ['-a', socket, '-n', o.namespace ?? defaultNs, ...args];
    if (!o.input) return (await run('ctr', argv, { timeout: 60_000, maxBuffer: 16 << 20 })).stdout;
    const input = o.input;
    return new Promise((resolve, reject) => {
      const child = spawn('ctr', argv, { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`ctr ${args.join(' ')}: exit ${code}: ${err}`))));
      child.stdin.end(input);
    });
  };

  return {
    socket,
    dir: dir.path,
    contentDir: join(dir.path, 'root', 'io.containerd.content.v1.content'),
    ctr,
    ingest: (bytes, labels = {}, namespace = defaultNs) => writeBlob(socket, namespace, bytes, labels),
    async importImage(image, name, namespace) {
      const tar = join(dir.path, `import-${image.manifest.digest.slice(7, 19)}.tar`);
      await run('tar', ['-cf', tar, '-C', image.dir, '.']);
      await ctr(['images', 'import', '--no-unpack', '--base-name', name, tar], { namespace });
      return `${name}:${image.tag}`;
    },
    async restart() {
      await proc.stop();
      proc = await start();
    },
    async stop() {
      await proc.stop();
      await dir.remove();
    },
  };
}
