import type { AnnounceEntry, LayerHolder, LayerIndex, LayerSource } from './layer-index.js';

type Clock = () => number;

/** In-process LayerIndex for unit tests; runs the same conformance suite as the Redis one. */
export class MemoryLayerIndex implements LayerIndex {
  private readonly claims = new Map<string, Map<string, LayerHolder & { expiry: number }>>();

  constructor(private readonly now: Clock = Date.now) {}

  async announce(nodeId: string, url: string | undefined, entries: AnnounceEntry[], ttlSeconds: number): Promise<number> {
    const now = this.now();
    for (const e of entries) {
      const byNode = this.claims.get(e.digest) ?? new Map();
      byNode.set(`${nodeId}/${e.source}`, { nodeId, size: e.size, source: e.source, lastSeen: now, expiry: now + ttlSeconds * 1000, ...(url ? { url } : {}) });
      this.claims.set(e.digest, byNode);
    }
    return entries.length;
  }

  async withdraw(nodeId: string, digests: string[], source?: LayerSource): Promise<number> {
    let n = 0;
    for (const d of digests) {
      for (const key of [...(this.claims.get(d)?.keys() ?? [])]) {
        const claim = this.claims.get(d)!.get(key)!;
        if (claim.nodeId === nodeId && (!source || claim.source === source) && this.claims.get(d)!.delete(key)) n++;
      }
    }
    return n;
  }

  async lookup(digest: string): Promise<LayerHolder[]> {
    const now = this.now();
    return [...(this.claims.get(digest)?.values() ?? [])]
      .filter((c) => c.expiry > now)
      .map(({ expiry: _expiry, ...holder }) => holder)
      .sort((a, b) => b.lastSeen - a.lastSeen);
  }
}
