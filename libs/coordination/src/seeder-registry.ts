import type { Redis } from '@accelerboat/redis-client';
import type { SeederHeartbeatRequest } from '@accelerboat/registry-protocol';

export interface SeederStatus extends SeederHeartbeatRequest {
  /** When the coordinator last heard from the seeder, ms since epoch. */
  seenAt: number;
}

const key = (id: string): string => `seeder:${id}`;
const SET = 'seeders';

/**
 * Live seeders and their load, from heartbeats. A seeder that stops beating drops out after the
 * TTL, so jobs are never handed to the dead.
 */
export class SeederRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds = 15,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a beat: the seeder counts as live, with this load, for the next TTL seconds. */
  async heartbeat(beat: SeederHeartbeatRequest): Promise<void> {
    const status: SeederStatus = { ...beat, seenAt: this.now() };
    await this.redis.multi().set(key(beat.seederId), JSON.stringify(status), 'EX', this.ttlSeconds).sadd(SET, beat.seederId).exec();
  }

  /** Live seeders, least loaded first. */
  async live(): Promise<SeederStatus[]> {
    const ids = await this.redis.smembers(SET);
    if (!ids.length) return [];
    const raw = await this.redis.mget(...ids.map(key));
    const dead = ids.filter((_, i) => !raw[i]);
    if (dead.length) await this.redis.srem(SET, ...dead);
    return raw
      .filter((r): r is string => !!r)
      .map((r) => JSON.parse(r) as SeederStatus)
      .sort((a, b) => a.activeJobs / Math.max(1, a.maxJobs) - b.activeJobs / Math.max(1, b.maxJobs) || a.load - b.load);
  }
}
