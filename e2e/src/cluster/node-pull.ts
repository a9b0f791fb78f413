#!/usr/bin/env node
// A light image pull client, run inside a node's network namespace (`ip netns exec <ns> node
// node-pull.js ...`): the cluster e2e and the cluster benchmark need a client on every node, and
// skopeo or ctr cost several CPU-seconds per 100 MB on this 2-core machine, which the servers need.
// It does what containerd does on the wire: resolve the tag, GET the manifest by digest, GET the
// config and layers (3 at a time), and verify every sha256 while streaming.
import { createHash } from 'node:crypto';
import { request, type IncomingMessage } from 'node:http';
import { parseArgs } from 'node:util';

/** What one pull printed (one JSON line on stdout). */
export interface NodePullResult {
  manifestDigest: string;
  blobs: { digest: string; bytes: number }[];
  bytes: number;
  /** From the start time (`--at`, else the process's start) to the last blob verified. */
  ms: number;
  /** Blob GETs that failed (aborted, wrong digest) and were sent again. */
  retries: number;
}

const ACCEPT = 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';
const LAYERS_AT_ONCE = 3; // containerd's default max_concurrent_downloads

function get(url: string, method = 'GET'): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { accept: ACCEPT } }, resolve);
    req.on('error', reject);
    req.end();
  });
}

/** GETs a blob or manifest, hashing as it streams; throws on a status other than 200 or a wrong digest. */
async function fetchVerified(url: string, digest: string, keep: boolean): Promise<{ bytes: number; body?: Buffer }> {
  const res = await get(url);
  if (res.statusCode !== 200) {
    res.resume();
    throw new Error(`GET ${url}: ${res.statusCode}`);
  }
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const c of res) {
    const chunk = c as Buffer;
    hash.update(chunk);
    bytes += chunk.length;
    if (keep) chunks.push(chunk);
  }
  // A connection the server aborted ends the loop with an error above, never a short clean body.
  const got = `sha256:${hash.digest('hex')}`;
  if (got !== digest) throw new Error(`GET ${url}: digest ${got}, want ${digest}`);
  return { bytes, ...(keep ? { body: Buffer.concat(chunks) } : {}) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      base: { type: 'string' },
      repo: { type: 'string' },
      tag: { type: 'string', default: 'v1' },
      ns: { type: 'string' },
      at: { type: 'string' },
      retries: { type: 'string', default: '0' },
    },
  });
  if (!values.base || !values.repo) throw new Error('usage: node-pull --base http://host:port --repo name [--tag v1] [--ns registry] [--at epochMs] [--retries n]');
  const at = values.at ? Number(values.at) : Date.now();
  // Every node starts at the same wall-clock time, so that process start-up is not measured.
  if (at > Date.now()) await new Promise((r) => setTimeout(r, at - Date.now()));
  const query = values.ns ? `?ns=${encodeURIComponent(values.ns)}` : '';
  const url = (kind: 'manifests' | 'blobs', ref: string): string => `${values.base}/v2/${values.repo}/${kind}/${ref}${query}`;
  let retriesLeft = Number(values.retries);
  let retries = 0;
  // Like kubelet's back-off, a failed blob is asked for again; the retry count is reported.
  const withRetry = async <T>(what: () => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        return await what();
      } catch (err) {
        if (retriesLeft-- <= 0) throw err;
        retries++;
        process.stderr.write(`retrying: ${(err as Error).message}\n`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };

  const head = await get(url('manifests', values.tag), 'HEAD');
  head.resume();
  const manifestDigest = head.headers['docker-content-digest'];
  if (head.statusCode !== 200 || typeof manifestDigest !== 'string') throw new Error(`manifest HEAD: ${head.statusCode}`);
  const { body } = await withRetry(() => fetchVerified(url('manifests', manifestDigest), manifestDigest, true));
  const manifest = JSON.parse(body!.toString('utf8')) as { config: { digest: string }; layers: { digest: string }[] };
  const queue = [manifest.config, ...manifest.layers].map((d) => d.digest);
  const blobs: NodePullResult['blobs'] = [];
  const worker = async (): Promise<void> => {
    for (let d = queue.shift(); d !== undefined; d = queue.shift()) {
      const digest = d;
      const { bytes } = await withRetry(() => fetchVerified(url('blobs', digest), digest, false));
      blobs.push({ digest, bytes });
    }
  };
  await Promise.all(Array.from({ length: LAYERS_AT_ONCE }, worker));
  const result: NodePullResult = { manifestDigest, blobs, bytes: blobs.reduce((n, b) => n + b.bytes, 0), ms: Date.now() - at, retries };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`node-pull: ${(err as Error).message}\n`);
  process.exit(1);
});
