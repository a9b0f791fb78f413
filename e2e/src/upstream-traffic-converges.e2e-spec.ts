import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccessLogEntry } from '@accelerboat/testing';
import { pullThrough } from './support/pull-client.js';
import { startApp, startStack, type RunningApp, type Stack } from './support/stack.js';
import { startUpstream, writeRegistriesFile, type Upstream } from './support/upstreams.js';

const MiB = 1024 * 1024;
const CLIENTS = 50;

function count(log: AccessLogEntry[], kind: 'blob' | 'manifest', method = 'GET'): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of log) if (e.kind === kind && e.method === method && e.status < 300) out.set(e.reference ?? '', (out.get(e.reference ?? '') ?? 0) + 1);
  return out;
}

async function coldPull(upstream: Upstream, mirrors: string[]): Promise<void> {
  await upstream.registry.flushAccessLog();
  upstream.registry.clearAccessLog();
  const pulls = await Promise.all(
    Array.from({ length: CLIENTS }, (_, i) => pullThrough(mirrors[i % mirrors.length]!, upstream.registry.host, upstream.repository, upstream.tag)),
  );
  for (const p of pulls) assert.equal(p.manifestDigest, upstream.digest);
}

describe(`${CLIENTS} concurrent clients pulling one cold image (two coordinator replicas)`, () => {
  let stack: Stack;
  let secondEdge: RunningApp;
  let secondCoordinator: RunningApp;
  let one: Upstream;
  let two: Upstream;

  before(async () => {
    one = await startUpstream({ anonymousPull: true, layers: [4 * MiB, 2 * MiB, 512 * 1024], repository: 'conv/one' });
    two = await startUpstream({ anonymousPull: true, layers: [4 * MiB, 2 * MiB, 512 * 1024], repository: 'conv/two' });
    const registries = writeRegistriesFile(mkdtempSync(join(tmpdir(), 'ab-conv-')), [one.registry.host, two.registry.host]);
    stack = await startStack({ env: { REGISTRIES_FILE: registries } });
    // A second coordinator replica in the same queue group: requests are spread over both.
    secondCoordinator = await startApp('master-coordinator', {
      NATS_SERVERS: stack.nats.url,
      REDIS_URL: stack.redis.url,
      INSTANCE_ID: 'coordinator-2',
      CLUSTER_SECRET: stack.clusterSecret,
      REGISTRIES_FILE: registries,
    });
    // A second node: its own edge-proxy and cache, the same NATS, Redis and coordinators.
    secondEdge = await startApp('edge-proxy', {
      NATS_SERVERS: stack.nats.url,
      INSTANCE_ID: 'node-2',
      CLUSTER_SECRET: stack.clusterSecret,
      CACHE_DIR: join(stack.dir, 'cache-node-2'),
      REGISTRIES_FILE: registries,
    });
  });
  after(async () => {
    await secondEdge?.process.stop();
    await secondCoordinator?.process.stop();
    await stack?.stop();
    await one?.registry.stop();
    await two?.registry.stop();
  });

  it('through one edge-proxy: one upstream GET per blob and one manifest GET per tag', async () => {
    await coldPull(one, [stack.apps.get('edge-proxy')!.url]);
    const log = await one.registry.flushAccessLog();
    const blobs = count(log, 'blob');
    for (const d of [one.image.config.digest, ...one.image.layers.map((l) => l.digest)]) assert.equal(blobs.get(d), 1, `blob GETs of ${d}`);
    assert.ok((count(log, 'manifest').get(one.tag) ?? 0) <= 1, 'at most one manifest GET by tag');
  });

  it('through two edge-proxies sharing the coordinators: still one upstream GET per blob', async () => {
    await coldPull(two, [stack.apps.get('edge-proxy')!.url, secondEdge.url]);
    const log = await two.registry.flushAccessLog();
    const blobs = count(log, 'blob');
    for (const d of [two.image.config.digest, ...two.image.layers.map((l) => l.digest)]) assert.equal(blobs.get(d), 1, `blob GETs of ${d}`);
    assert.ok((count(log, 'manifest').get(two.tag) ?? 0) <= 1, 'at most one manifest GET by tag');
  });
});
