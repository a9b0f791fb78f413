import { join } from 'node:path';
import type { NetnsHost } from '@accelerboat/testing';
import type { NodePullResult } from './node-pull.js';

export type { NodePullResult } from './node-pull.js';

/** The compiled pull client (node-pull.ts); it runs as its own process inside a namespace. */
export const NODE_PULL = join(import.meta.dirname, 'node-pull.js');

/** What to pull, from where. */
export interface NodePullOptions {
  /** Registry or mirror base URL as seen from the node, e.g. `http://10.233.1.11:5080`. */
  base: string;
  repository: string;
  tag?: string;
  /** The upstream a mirror should use (`?ns=`); omit when `base` is the registry itself. */
  ns?: string;
  /** Wall-clock start (ms since epoch): several nodes start together and are timed from it. */
  at?: number;
  /** Failed blob GETs asked for again before giving up (a kubelet would retry the pull). */
  retries?: number;
  timeoutMs?: number;
}

/** Pulls an image inside `host`'s namespace with the light client; rejects with its stderr when it fails. */
export async function nodePull(host: NetnsHost, opts: NodePullOptions): Promise<NodePullResult> {
  const args = [NODE_PULL, '--base', opts.base, '--repo', opts.repository, '--tag', opts.tag ?? 'v1'];
  if (opts.ns) args.push('--ns', opts.ns);
  if (opts.at !== undefined) args.push('--at', String(opts.at));
  if (opts.retries) args.push('--retries', String(opts.retries));
  const { stdout } = await host.exec(process.execPath, args, { timeoutMs: opts.timeoutMs ?? 120_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as NodePullResult;
}
