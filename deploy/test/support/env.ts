import type { IContainer } from 'kubernetes-models/v1/Container';
import { dataOf, find, type K8sObject } from './k8s.js';

/** Where one environment variable of a container comes from. */
export type EnvSource =
  | { from: 'configMap'; object: string; key: string }
  | { from: 'secret'; object: string; key: string; rendered: boolean }
  | { from: 'value' }
  | { from: 'fieldRef'; fieldPath: string }
  | { from: 'resourceFieldRef'; resource: string };

export interface EnvVar {
  name: string;
  /** The value the container would see; placeholders for the downward API and unrendered Secrets. */
  value: string;
  source: EnvSource;
}

export interface ContainerEnv {
  vars: Map<string, EnvVar>;
  /** Names used as $(NAME) in another variable's value. */
  referenced: Set<string>;
  problems: string[];
}

/** Stand-ins for what the kubelet fills in, so a rendered env can be validated like the app does. */
const FIELD_VALUES: Record<string, string> = {
  'spec.nodeName': 'node-1',
  'status.hostIP': '192.0.2.10',
  'status.podIP': '198.51.100.7',
  'metadata.name': 'pod-0',
  'metadata.namespace': 'accelerboat',
  'spec.serviceAccountName': 'default',
};

/** Stand-ins for keys of Secrets an overlay references but (rightly) does not render. */
const EXTERNAL_SECRET_VALUES: Record<string, string> = {
  CLUSTER_SECRET: 'external-cluster-secret-0123456789abcdef',
  REDIS_URL: 'redis://redis:6379/0',
  HTTP_PROXY_URL: 'http://proxy:3128',
};

/**
 * The environment of a container as the kubelet builds it: envFrom first (later sources win),
 * then env in order, with $(NAME) expanded from what is defined so far.
 */
export function resolveEnv(container: IContainer, objects: K8sObject[]): ContainerEnv {
  const vars = new Map<string, EnvVar>();
  const referenced = new Set<string>();
  const problems: string[] = [];
  const where = `container ${container.name}`;
  for (const src of container.envFrom ?? []) {
    const prefix = src.prefix ?? '';
    if (src.configMapRef) {
      const cm = find(objects, 'ConfigMap', src.configMapRef.name ?? '');
      if (!cm) {
        if (!src.configMapRef.optional) problems.push(`${where}: envFrom ConfigMap ${src.configMapRef.name} is not rendered`);
        continue;
      }
      for (const [key, value] of Object.entries(dataOf(cm))) vars.set(prefix + key, { name: prefix + key, value, source: { from: 'configMap', object: cm.metadata.name, key } });
    }
    if (src.secretRef) {
      const secret = find(objects, 'Secret', src.secretRef.name ?? '');
      if (!secret) {
        // Its keys are unknowable here, so nothing could be checked: refuse it instead.
        problems.push(`${where}: envFrom Secret ${src.secretRef.name} is not rendered; reference its keys one by one with secretKeyRef`);
        continue;
      }
      for (const [key, value] of Object.entries(dataOf(secret)))
        vars.set(prefix + key, { name: prefix + key, value, source: { from: 'secret', object: secret.metadata.name, key, rendered: true } });
    }
  }
  for (const e of container.env ?? []) {
    if (e.value !== undefined || !e.valueFrom) {
      const value = (e.value ?? '').replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m: string, name?: string) => {
        if (m === '$$') return '$';
        const v = name ? vars.get(name) : undefined;
        if (!v) {
          problems.push(`${where}: ${e.name} refers to $(${name}), which is not defined before it`);
          return m;
        }
        referenced.add(v.name);
        return v.value;
      });
      vars.set(e.name, { name: e.name, value, source: { from: 'value' } });
      continue;
    }
    const vf = e.valueFrom;
    if (vf.configMapKeyRef) {
      const cm = find(objects, 'ConfigMap', vf.configMapKeyRef.name ?? '');
      const value = cm ? dataOf(cm)[vf.configMapKeyRef.key] : undefined;
      if (value === undefined) problems.push(`${where}: ${e.name} reads key ${vf.configMapKeyRef.key} of ConfigMap ${vf.configMapKeyRef.name}, which is not rendered`);
      else vars.set(e.name, { name: e.name, value, source: { from: 'configMap', object: vf.configMapKeyRef.name ?? '', key: vf.configMapKeyRef.key } });
    } else if (vf.secretKeyRef) {
      const { name = '', key, optional } = vf.secretKeyRef;
      const secret = find(objects, 'Secret', name);
      if (secret) {
        const value = dataOf(secret)[key];
        if (value === undefined) problems.push(`${where}: ${e.name} reads key ${key} of Secret ${name}, which has no such key`);
        else vars.set(e.name, { name: e.name, value, source: { from: 'secret', object: name, key, rendered: true } });
      } else {
        // A Secret created outside the overlay (prod): a missing key stops the pod with
        // CreateContainerConfigError unless the reference is optional, which it must not be.
        if (optional) problems.push(`${where}: ${e.name} reads Secret ${name}, which is not rendered, optionally: a missing secret would go unnoticed`);
        vars.set(e.name, { name: e.name, value: EXTERNAL_SECRET_VALUES[key] ?? 'external-secret-value-0123456789', source: { from: 'secret', object: name, key, rendered: false } });
      }
    } else if (vf.fieldRef) {
      const value = FIELD_VALUES[vf.fieldRef.fieldPath];
      if (value === undefined) problems.push(`${where}: ${e.name} uses fieldRef ${vf.fieldRef.fieldPath}, unknown to this test`);
      vars.set(e.name, { name: e.name, value: value ?? 'x', source: { from: 'fieldRef', fieldPath: vf.fieldRef.fieldPath } });
    } else if (vf.resourceFieldRef) {
      vars.set(e.name, { name: e.name, value: '1', source: { from: 'resourceFieldRef', resource: vf.resourceFieldRef.resource } });
    }
  }
  return { vars, referenced, problems };
}

/**
 * A container's command and args as the kubelet runs them: `$(NAME)` expanded from the
 * container's environment (`$$` is a literal `$`; an undefined name stays as written, and is
 * reported, since the process would get the text `$(NAME)`).
 */
export function expandCommand(container: IContainer, objects: K8sObject[]): { argv: string[]; problems: string[] } {
  const env = resolveEnv(container, objects);
  const problems = [...env.problems];
  const argv = [...(container.command ?? []), ...(container.args ?? [])].map((arg) =>
    arg.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m: string, name?: string) => {
      if (m === '$$') return '$';
      const v = name ? env.vars.get(name) : undefined;
      if (!v) {
        problems.push(`container ${container.name}: its command refers to $(${name}), which is not in its environment`);
        return m;
      }
      return v.value;
    }),
  );
  return { argv, problems };
}
