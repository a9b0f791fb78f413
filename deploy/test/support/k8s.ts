import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';

/** deploy/ itself (this file runs from deploy/dist/support/). */
export const deployDir = fileURLToPath(new URL('../../', import.meta.url));

/** One rendered Kubernetes object, loosely typed: checks narrow what they read. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export const WORKLOAD_KINDS = ['Deployment', 'DaemonSet', 'StatefulSet'] as const;

export interface Workload {
  object: K8sObject;
  kind: string;
  name: string;
  labels: Record<string, string>;
  pod: IPodSpec;
}

/** Where `kubectl` is: $KUBECTL if set (and only there), else PATH, then /usr/bin/kubectl. */
export function findKubectl(): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const candidates = process.env.KUBECTL ? [process.env.KUBECTL] : [...dirs.map((d) => join(d, 'kubectl')), '/usr/bin/kubectl'];
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // not this one
    }
  }
  return undefined;
}

export const kubectl = findKubectl();

/**
 * Why the manifest tests cannot run, or false. A missing kubectl skips them with this message in
 * the report (and on stderr), never a silent pass; DEPLOY_REQUIRE_KUBECTL=1 makes it a failure.
 */
export const skipReason: string | false = kubectl
  ? false
  : `kubectl NOT FOUND (${process.env.KUBECTL ? `KUBECTL=${process.env.KUBECTL}` : 'PATH, /usr/bin/kubectl'}): deploy/ manifests were NOT rendered and NOT checked`;
if (!kubectl) {
  process.stderr.write(`\n!!!!! ${skipReason} !!!!!\n\n`);
  if (process.env.DEPLOY_REQUIRE_KUBECTL === '1') throw new Error(String(skipReason));
}

const cache = new Map<string, K8sObject[]>();

/** `kubectl kustomize <deploy/dir>`, parsed. Throws with kustomize's own message on failure. */
export function render(dir: string): K8sObject[] {
  const hit = cache.get(dir);
  if (hit) return structuredClone(hit);
  if (!kubectl) throw new Error(String(skipReason));
  const r = spawnSync(kubectl, ['kustomize', join(deployDir, dir)], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`kubectl kustomize ${dir} failed (exit ${r.status}):\n${r.stderr}`);
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(r.stdout)) {
    if (doc.errors.length) throw new Error(`kubectl kustomize ${dir}: unparsable YAML: ${doc.errors[0].message}`);
    const obj = doc.toJSON() as K8sObject | null;
    if (obj) objects.push(obj);
  }
  cache.set(dir, objects);
  return structuredClone(objects);
}

/** Every directory under deploy/ with a kustomization.yaml, and whether it is a Component. */
export function kustomizations(): { dir: string; component: boolean }[] {
  const out: { dir: string; component: boolean }[] = [];
  const walk = (abs: string): void => {
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      if (!e.isDirectory() || e.name === 'node_modules' || e.name === 'dist' || e.name === 'test' || e.name.startsWith('.')) continue;
      const sub = join(abs, e.name);
      const file = join(sub, 'kustomization.yaml');
      if (existsSync(file)) out.push({ dir: relative(deployDir, sub), component: /^kind:\s*Component\s*$/m.test(readFileSync(file, 'utf8')) });
      walk(sub);
    }
  };
  walk(deployDir);
  return out.sort((a, b) => a.dir.localeCompare(b.dir));
}

export function ref(o: K8sObject): string {
  return `${o.kind}/${o.metadata.name}`;
}

export function ofKind(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

export function find(objects: K8sObject[], kind: string, name: string): K8sObject | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name === name);
}

export function workloads(objects: K8sObject[]): Workload[] {
  return objects
    .filter((o) => (WORKLOAD_KINDS as readonly string[]).includes(o.kind))
    .map((o) => {
      const template = (o.spec as { template: { metadata?: { labels?: Record<string, string> }; spec: IPodSpec } }).template;
      return { object: o, kind: o.kind, name: o.metadata.name, labels: template.metadata?.labels ?? {}, pod: template.spec };
    });
}

export function allContainers(pod: IPodSpec): IContainer[] {
  return [...(pod.initContainers ?? []), ...pod.containers];
}

/** ConfigMap data, or a Secret's data decoded (stringData included). */
export function dataOf(o: K8sObject): Record<string, string> {
  const out: Record<string, string> = {};
  if (o.kind === 'Secret') {
    for (const [k, v] of Object.entries((o.data as Record<string, string>) ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
    Object.assign(out, (o.stringData as Record<string, string>) ?? {});
  } else {
    Object.assign(out, (o.data as Record<string, string>) ?? {});
  }
  return out;
}

/** Kubernetes label selector semantics (matchLabels and matchExpressions). */
export function selects(
  selector: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | undefined,
  labels: Record<string, string>,
): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const ok =
      e.operator === 'In' ? has && (e.values ?? []).includes(labels[e.key]) :
      e.operator === 'NotIn' ? !has || !(e.values ?? []).includes(labels[e.key]) :
      e.operator === 'Exists' ? has :
      e.operator === 'DoesNotExist' ? !has :
      false;
    if (!ok) return false;
  }
  return true;
}

/** CPU in cores or memory in bytes from a Kubernetes quantity ("250m", "2", "512Mi", "1G"). */
export function quantity(value: string | number): number {
  if (typeof value === 'number') return value;
  const m = /^([0-9.]+)(m|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)?$/.exec(value.trim());
  if (!m) return NaN;
  const scale: Record<string, number> = {
    m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
    Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
  };
  return Number(m[1]) * (m[2] ? scale[m[2]] : 1);
}
