import { it } from 'node:test';
import { APPS, appConfig } from './apps.js';
import type { Configs } from './checks.js';
import { skipReason } from './k8s.js';

export const ENVS = ['dev', 'prod'] as const;

/**
 * Registers the manifest tests, or, without kubectl, one skipped test whose reason names what
 * was not checked: the report counts it as skipped and prints why, it never passes silently.
 */
export function withKubectl(register: () => void): void {
  if (skipReason) it('renders deploy/ with kubectl kustomize', { skip: skipReason }, () => undefined);
  else register();
}

let configs: Promise<Configs> | undefined;

/** The five apps' config classes, from their compiled modules. */
export function loadConfigs(): Promise<Configs> {
  configs ??= Promise.all(APPS.map(async (a) => [a.name, await appConfig(a)] as const)).then((entries) => new Map(entries));
  return configs;
}
