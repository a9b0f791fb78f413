import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { ImageFixture } from '@accelerboat/testing';
import type { ClusterNode, ClusterStack } from './cluster-stack.js';

/** Every blob a pull of the image fetches: config and layers (the manifest is not a blob GET). */
export const blobsOf = (img: ImageFixture): string[] => [img.config.digest, ...img.layers.map((l) => l.digest)];

/** Polls `check` until it returns undefined; fails with its last answer after `timeoutMs`. */
export async function eventually(what: string, check: () => Promise<string | undefined>, timeoutMs = 20_000, everyMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let problem: string | undefined;
  while ((problem = await check()) !== undefined) {
    if (Date.now() > deadline) assert.fail(`${what}: ${problem}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Waits until every digest has a claim in the layer index that `claim` accepts (`<node>/<source>`). */
export const claimedBy = (stack: ClusterStack, digests: string[], claim: RegExp): Promise<void> =>
  eventually(`index claims ${claim}`, async () => {
    for (const d of digests) {
      const holders = await stack.holders(d);
      if (!holders.some((h) => claim.test(h))) return `${d} is held by [${holders.join(', ')}]`;
    }
    return undefined;
  });

/** One `blob <event>` line of an edge-proxy's JSON log (BlobFetcher's observe hook). */
export interface FetchLogEvent {
  event: string;
  digest?: string;
  source?: string;
  level?: number;
  [key: string]: unknown;
}

/** The BlobFetcher events a node's edge-proxy logged, optionally of one digest only. */
export function fetchEvents(node: ClusterNode, digest?: string): FetchLogEvent[] {
  const out: FetchLogEvent[] = [];
  for (const line of node.edge.logs().split('\n')) {
    if (!line.startsWith('{') || !line.includes('"event"')) continue;
    try {
      const e = JSON.parse(line) as FetchLogEvent;
      if (typeof e.event === 'string' && (digest === undefined || e.digest === digest)) out.push(e);
    } catch {
      /* a line cut by the log buffer */
    }
  }
  return out;
}

/** Where a node's edge-proxy keeps a cached blob (the store's content-addressed layout). */
export const cachedBlobPath = (node: ClusterNode, digest: string): string => join(node.cacheDir, 'blobs', 'sha256', digest.replace(/^sha256:/, ''));

/** The sha256 digest of a file, streamed. */
export async function fileDigest(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

/** `n`'s edge-proxy log tail, for failure messages. */
export const edgeTail = (n: ClusterNode, lines = 30): string => `--- last lines of ${n.name}'s edge-proxy ---\n${n.edge.logs().split('\n').slice(-lines).join('\n')}`;
