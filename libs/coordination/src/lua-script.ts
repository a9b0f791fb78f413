import { createHash } from 'node:crypto';
import type { Redis } from '@accelerboat/redis-client';

/**
 * A server-side script, sent by hash and only in full when the server does not know it yet
 * (after a restart or failover). Keys go through KEYS so the client's key prefix applies to them;
 * a script must never build a key name itself.
 */
export class LuaScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script with these keys and arguments and returns its raw reply. */
  async run(redis: Redis, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (e) {
      if (!(e instanceof Error) || !e.message.startsWith('NOSCRIPT')) throw e;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}
