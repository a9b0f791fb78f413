import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildImage, netnsUnavailableReason, type AccessLogEntry, type ImageFixture } from '@accelerboat/testing';
import { startClusterStack, type ClusterNode, type ClusterStack } from './cluster-stack.js';
import { blobsOf, claimedBy as claimedIn } from './cluster-support.js';

const MiB = 1024 * 1024;
const unavailable = await netnsUnavailableReason();
// Per test (not per suite), so that the runner's summary counts them as skipped.
const skip = unavailable ? `skipped: ${unavailable}` : false;

/** The upstream's successful blob GETs of the given digests. */
const blobGets = (log: AccessLogEntry[], digests: string[]): AccessLogEntry[] =>
  log.filter((e) => e.kind === 'blob' && e.method === 'GET' && digests.includes(e.reference ?? ''));

describe('nodes pull from each other: 4 nodes in network namespaces', () => {
  let stack: ClusterStack;
  let imageA: ImageFixture;
  let imageB: ImageFixture;
  let node: (i: number) => ClusterNode;

  before(
    async () => {
      if (skip) return;
      [imageA, imageB] = await Promise.all([
        buildImage({ layers: [4 * MiB, 1 * MiB, 64 * 1024], tag: 'v1' }),
        buildImage({ layers: [3 * MiB, 512 * 1024], tag: 'v1' }),
      ]);
      stack = await startClusterStack({ nodes: 4 });
      node = (i) => stack.nodes[i - 1]!;
      await stack.push(imageA, 'team/a', 'v1');
      await stack.push(imageB, 'team/b', 'v1');
    },
    { timeout: 240_000 },
  );
  after(async () => {
    await stack?.stop();
    await imageA?.remove();
    await imageB?.remove();
  });

  /** Pulls `repository:v1` on a node through its own edge-proxy and returns the upstream's log of that pull. */
  async function pullOn(n: ClusterNode, repository: string): Promise<AccessLogEntry[]> {
    await stack.registry.flushAccessLog();
    stack.registry.clearAccessLog();
    try {
      await n.containerd.pullThrough(n.edgeUrl, stack.registry.host, repository, 'v1');
    } catch (err) {
      const tail = n.edge.logs().split('\n').slice(-30).join('\n');
      throw new Error(`${(err as Error).message}\n--- last lines of ${n.name}'s edge-proxy ---\n${tail}`, { cause: err });
    }
    return stack.registry.flushAccessLog();
  }

  /** Waits until every digest has a claim in the layer index that `claim` accepts. */
  const claimedBy = (digests: string[], claim: RegExp): Promise<void> => claimedIn(stack, digests, claim);

  it('node1 pulls image A through its edge-proxy; the upstream serves each blob once', { timeout: 120_000, skip }, async () => {
    const log = await pullOn(node(1), 'team/a');
    const gets = blobGets(log, blobsOf(imageA));
    assert.deepEqual(gets.map((e) => e.reference).sort(), blobsOf(imageA).sort(), 'one upstream GET per blob');
    const held = await node(1).containerd.contentDigests();
    for (const d of blobsOf(imageA)) assert.ok(held.has(d), `node1's containerd lacks ${d}`);
  });

  it('node2 then pulls A with no blob GET at the upstream: the bytes come from node1', { timeout: 120_000, skip }, async () => {
    // node1's edge-proxy announces what it cached; the second pull must find it in the index.
    await claimedBy(blobsOf(imageA), /^node1\//);
    const log = await pullOn(node(2), 'team/a');
    assert.deepEqual(blobGets(log, blobsOf(imageA)), [], 'the upstream served blobs to the second node');
    const held = await node(2).containerd.contentDigests();
    for (const d of blobsOf(imageA)) assert.ok(held.has(d), `node2's containerd lacks ${d}`);
  });

  it("node4 pulls B, held only in node3's containerd (imported, never pulled), with no blob GET at the upstream", { timeout: 120_000, skip }, async () => {
    await node(3).containerd.importImage(imageB, `${stack.registry.host}/team/b`);
    // node3's layer-indexer sees the import (image event) and announces containerd's content with
    // node3's edge-proxy as the peer URL; nobody else holds B.
    await claimedBy(blobsOf(imageB), /^node3\/containerd$/);
    for (const d of blobsOf(imageB)) assert.deepEqual(await stack.holders(d), ['node3/containerd'], `holders of ${d}`);
    const log = await pullOn(node(4), 'team/b');
    // The manifest did come from the upstream: the log of this pull was captured, and is not empty by accident.
    assert.ok(log.some((e) => e.kind === 'manifest' && e.repository === 'team/b'), 'no manifest request of team/b in the upstream log');
    assert.deepEqual(blobGets(log, blobsOf(imageB)), [], 'the upstream served blobs that node3 held');
    const held = await node(4).containerd.contentDigests();
    for (const d of blobsOf(imageB)) assert.ok(held.has(d), `node4's containerd lacks ${d}`);
    const served = node(3).edge.logs();
    assert.doesNotMatch(served, /"level":(50|60)/, "node3's edge-proxy logged errors");
  });
});
