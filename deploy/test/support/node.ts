import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { expandCommand } from './env.js';
import { dataOf, find, type K8sObject, type Workload } from './k8s.js';

/** The compiled operator CLI, which the edge-proxy image ships as `accelerboat`. */
export const cliMain = fileURLToPath(new URL('../../../tools/cli/dist/main.js', import.meta.url));

export interface Run {
  /** The command line as the kubelet would start it, before paths were moved under the pod root. */
  argv: string[];
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a rendered container's `accelerboat …` command with the compiled CLI, as on a node: its
 * volume mounts are recreated under a temporary pod root (ConfigMap keys as files; hostPath
 * volumes as links into `hostRoot`, the node's file system, shared by every pod run on it), and
 * every path argument is moved under that root.
 */
export function runOnNode(objects: K8sObject[], w: Workload, c: IContainer, hostRoot: string): Run {
  if (!existsSync(cliMain)) throw new Error(`${cliMain} is missing: run \`pnpm run build\` at the workspace root first`);
  const { argv, problems } = expandCommand(c, objects);
  if (problems.length) throw new Error(problems.join('; '));
  if (argv[0] !== 'accelerboat') throw new Error(`container ${c.name} runs ${argv[0]}, not accelerboat`);
  const podRoot = mkdtempSync(join(tmpdir(), 'ab-pod-'));
  const mountPaths: string[] = [];
  for (const m of c.volumeMounts ?? []) {
    if (m.subPath) throw new Error(`container ${c.name}: subPath mounts are not emulated`);
    const vol = (w.pod.volumes ?? []).find((v) => v.name === m.name);
    if (!vol) throw new Error(`container ${c.name} mounts ${m.name}, which the pod does not define`);
    const target = join(podRoot, m.mountPath);
    mountPaths.push(m.mountPath.replace(/\/+$/, ''));
    if (vol.hostPath) {
      const onHost = join(hostRoot, vol.hostPath.path);
      if (!existsSync(onHost)) {
        if (vol.hostPath.type !== 'DirectoryOrCreate') throw new Error(`hostPath ${vol.hostPath.path} does not exist and is not DirectoryOrCreate`);
        mkdirSync(onHost, { recursive: true });
      }
      mkdirSync(dirname(target), { recursive: true });
      symlinkSync(onHost, target);
      continue;
    }
    mkdirSync(target, { recursive: true });
    if (vol.configMap) {
      const cm = find(objects, 'ConfigMap', vol.configMap.name ?? '');
      if (!cm) throw new Error(`ConfigMap ${vol.configMap.name} is not rendered`);
      const data = dataOf(cm);
      const items = vol.configMap.items ?? Object.keys(data).map((key) => ({ key, path: key }));
      for (const { key, path } of items) writeFileSync(join(target, path), data[key] ?? '');
    }
  }
  const underRoot = (value: string): string =>
    value.startsWith('/') && mountPaths.some((p) => value === p || value.startsWith(p + '/')) ? join(podRoot, value) : value;
  const args = argv.slice(1).map((a) => {
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    return eq > 0 ? `${a.slice(0, eq + 1)}${underRoot(a.slice(eq + 1))}` : underRoot(a);
  });
  try {
    const r = spawnSync(process.execPath, [cliMain, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 30_000 });
    return { argv, status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    // The pod goes; the node (hostRoot, behind the links) stays.
    rmSync(podRoot, { recursive: true, force: true });
  }
}
