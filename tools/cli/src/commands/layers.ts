import type { ImageLayersResponse } from '@accelerboat/registry-protocol';
import { formatBytes, shortDigest } from '../format.js';
import { formatImageRef, type ImageRef } from '../image-ref.js';
import { printJson, type Io } from '../io.js';
import { renderTable } from '../table.js';
import type { Cluster } from '../cluster.js';

/** Options of `layers`. */
export interface LayersOptions {
  json: boolean;
  platform?: string;
  authorization?: string;
}

/** The header line naming what an image reference resolved to. */
export function resolvedLine(ref: ImageRef, r: Pick<ImageLayersResponse, 'digest' | 'manifestDigest' | 'platform'>): string {
  const manifest = r.manifestDigest === r.digest ? '' : ` → ${r.platform ?? 'manifest'} ${shortDigest(r.manifestDigest)}`;
  return `${formatImageRef(ref)} = ${shortDigest(r.digest)}${manifest}`;
}

/** Where each layer (and the config) of an image is held in the cluster. */
export async function layersCommand(cluster: Cluster, io: Io, ref: ImageRef, opts: LayersOptions): Promise<void> {
  const res = await cluster.coordinator.imageLayers({
    registry: ref.registry,
    repository: ref.repository,
    reference: ref.reference,
    ...(opts.platform ? { platform: opts.platform } : {}),
    ...(opts.authorization ? { authorization: opts.authorization } : {}),
  });
  if (opts.json) return printJson(io, res);
  io.out(resolvedLine(ref, res));
  const rows = res.layers.map((l, i) => {
    const holders = l.holders.map((h) => `${h.nodeId}(${h.source})`);
    if (l.holderCount > l.holders.length) holders.push(`+${l.holderCount - l.holders.length} more`);
    return [String(i), l.kind, shortDigest(l.digest), formatBytes(l.size), holders.join(', ') || '-'];
  });
  const columns = [{ header: '#', align: 'right' as const }, { header: 'kind' }, { header: 'digest' }, { header: 'size', align: 'right' as const }, { header: 'held by' }];
  for (const line of renderTable(columns, rows)) io.out(line);
  const held = res.layers.filter((l) => l.holderCount > 0).length;
  io.out(`${held} of ${res.layers.length} blobs held in the cluster`);
}
