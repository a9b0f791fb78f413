import type { Redis } from '@accelerboat/redis-client';
import { LAYER_SOURCES, type AnnounceEntry, type LayerHolder, type LayerIndex, type LayerSource } from './layer-index.js';

type Clock = () => number;

// Per digest: a sorted set of node ids scored by claim expiry (ms) and a hash of claim details.
// Redis 7.0 has no per-field TTL, so expiry lives in the score and is trimmed on every read/write;
// the keys themselves expire with the longest claim, so abandoned digests clean themselves up.
const holdersKey = (digest: string): string => `layer:${digest}:holders`;
// One claim per node and source: a node's edge cache and its seeder hold a blob independently.
const member = (nodeId: string, source: LayerSource): string => `${nodeId}/${source}`;
const detailKey = (digest: string): string => `layer:${digest}:detail`;

/** LayerIndex on Redis; announce batches are written in one pipeline. */
export class RedisLayerIndex implements LayerIndex {
  constructor(
    private readonly redis: Redis,
    private readonly now: Clock = Date.now,
  ) {}

  async announce(nodeId: string, url: string | undefined, entries: AnnounceEntry[], ttlSeconds: number): Promise<number> {
    if (!entries.length) return 0;
    const now = this.now();
    const expiry = now + ttlSeconds * 1000;
    const pipe = this.redis.pipeline();
    for (const e of entries) {
      const detail: Omit<LayerHolder, 'nodeId'> = { size: e.size, source: e.source, lastSeen: now, ...(url ? { url } : {}) };
      pipe.zadd(holdersKey(e.digest), expiry, member(nodeId, e.source));
      pipe.zremrangebyscore(holdersKey(e.digest), '-inf', now);
      pipe.hset(detailKey(e.digest), member(nodeId, e.source), JSON.stringify(detail));
      // NX sets a first expiry on new keys; GT then only ever extends it, so one node's short
      // claim never cuts the life of another node's longer one.
      for (const key of [holdersKey(e.digest), detailKey(e.digest)]) {
        pipe.pexpireat(key, expiry, 'NX');
        pipe.pexpireat(key, expiry, 'GT');
      }
    }
    await pipe.exec();
    return entries.length;
  }

  async withdraw(nodeId: string, digests: string[], source?: LayerSource): Promise<number> {
    if (!digests.length) return 0;
    const members = (source ? [source] : LAYER_SOURCES).map((s) => member(nodeId, s));
    const pipe = this.redis.pipeline();
    for (const d of digests) {
      pipe.zrem(holdersKey(d), ...members);
      pipe.hdel(detailKey(d), ...members);
    }
    const results = (await pipe.exec()) ?? [];
    return results.filter((_, i) => i % 2 === 0).reduce((n, [, v]) => n + Number(v ?? 0), 0);
  }

  async lookup(digest: string): Promise<LayerHolder[]> {
    const now = this.now();
    const members = await this.redis.zrangebyscore(holdersKey(digest), now, '+inf');
    if (!members.length) return [];
    const details = await this.redis.hmget(detailKey(digest), ...members);
    const out: LayerHolder[] = [];
    members.forEach((m, i) => {
      const raw = details[i];
      if (!raw) return;
      try {
        out.push({ nodeId: m.slice(0, m.lastIndexOf('/')), ...(JSON.parse(raw) as Omit<LayerHolder, 'nodeId'>) });
      } catch {
        // A corrupt entry is skipped, never served: the next announce rewrites it.
      }
    });
    return out.sort((a, b) => b.lastSeen - a.lastSeen);
  }
}
