import type { Redis } from '@accelerboat/redis-client';
import { isActive, type JobPatch, type JobRecord, type JobStatus } from './job.js';
import { RECENT_JOBS_MAX, type JobStore, type JobUpdateOptions, type Unlock } from './job-store.js';
import { LuaScript } from './lua-script.js';
import { acquireLock, releaseLock } from './redis-lock.js';

// Key layout (under the client's REDIS_KEY_PREFIX):
//   job:<jobId>              hash, the JobRecord; PX refreshed by every update
//   job:<jobId>:auth         string, the credential for reassignment; dropped when the job ends
//   job:by-digest:<digest>   string, the one active job of a digest (SET NX); dropped when it ends
//   job:active               zset of unfinished job ids by creation time (what sweep walks)
//   job:recent               zset of the last RECENT_JOBS_MAX job ids by creation time (listJobs)
//   job:lock:<name>          string, owner token of a short cluster-wide lock (sweep, reassign)
const jobKey = (id: string): string => `job:${id}`;
const authKey = (id: string): string => `job:${id}:auth`;
const digestKey = (digest: string): string => `job:by-digest:${digest}`;
const ACTIVE = 'job:active';
const RECENT = 'job:recent';

const CREATE = new LuaScript(`
local cur = redis.call('GET', KEYS[1])
if cur then return cur end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('HSET', KEYS[2], unpack(ARGV, 6))
redis.call('PEXPIRE', KEYS[2], ARGV[2])
if ARGV[4] ~= '' then redis.call('SET', KEYS[3], ARGV[4], 'PX', ARGV[2]) end
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[1])
redis.call('ZADD', KEYS[5], ARGV[3], ARGV[1])
redis.call('ZREMRANGEBYRANK', KEYS[5], 0, -(tonumber(ARGV[5]) + 1))
return ARGV[1]`);

const UPDATE = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local st = redis.call('HGET', KEYS[1], 'status')
if st ~= 'pending' and st ~= 'assigned' and st ~= 'running' then return 0 end
if (redis.call('HGET', KEYS[1], 'seederId') or '') ~= ARGV[2] then return 0 end
if #ARGV >= 5 then redis.call('HSET', KEYS[1], unpack(ARGV, 5)) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
local bound = redis.call('GET', KEYS[2]) == ARGV[1]
if ARGV[4] == '1' then
  if bound then redis.call('DEL', KEYS[2]) end
  redis.call('DEL', KEYS[3])
  redis.call('ZREM', KEYS[4], ARGV[1])
else
  if bound then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
  redis.call('PEXPIRE', KEYS[3], ARGV[3])
end
return 1`);

const STATUSES = new Set<string>(['pending', 'assigned', 'running', 'completed', 'failed'] satisfies JobStatus[]);

/** JobStore on Redis; every conditional change is one Lua script, so replicas cannot interleave. */
export class RedisJobStore implements JobStore {
  constructor(private readonly redis: Redis) {}

  async create(job: JobRecord, authorization: string | undefined, ttlMs: number): Promise<string> {
    const keys = [digestKey(job.digest), jobKey(job.jobId), authKey(job.jobId), ACTIVE, RECENT];
    const args = [job.jobId, ms(ttlMs), job.createdAt, authorization ?? '', RECENT_JOBS_MAX, ...fields(job)];
    return String(await CREATE.run(this.redis, keys, args));
  }

  async get(jobId: string): Promise<JobRecord | undefined> {
    return parse(await this.redis.hgetall(jobKey(jobId)));
  }

  async jobOf(digest: string): Promise<string | undefined> {
    return (await this.redis.get(digestKey(digest))) ?? undefined;
  }

  async update(jobId: string, patch: JobPatch, options: JobUpdateOptions): Promise<boolean> {
    // The digest never changes, so reading it first cannot race with the script below.
    const digest = await this.redis.hget(jobKey(jobId), 'digest');
    if (!digest) return false;
    const keys = [jobKey(jobId), digestKey(digest), authKey(jobId), ACTIVE];
    const args = [jobId, options.ifSeeder, ms(options.ttlMs), options.final ? '1' : '0', ...fields(patch)];
    return Number(await UPDATE.run(this.redis, keys, args)) === 1;
  }

  async authorization(jobId: string): Promise<string | undefined> {
    return (await this.redis.get(authKey(jobId))) ?? undefined;
  }

  async active(): Promise<JobRecord[]> {
    const jobs = await this.load(ACTIVE, await this.redis.zrange(ACTIVE, 0, -1));
    return jobs.filter((j) => isActive(j.status));
  }

  async recent(limit: number): Promise<JobRecord[]> {
    return this.load(RECENT, await this.redis.zrevrange(RECENT, 0, Math.max(0, limit - 1)));
  }

  async lock(name: string, ttlMs: number): Promise<Unlock | undefined> {
    const key = `job:lock:${name}`;
    const token = await acquireLock(this.redis, key, ttlMs);
    return token ? async () => void (await releaseLock(this.redis, key, token)) : undefined;
  }

  /** Reads the records of `ids` in one pipeline and drops ids whose record expired from `set`. */
  private async load(set: string, ids: string[]): Promise<JobRecord[]> {
    if (!ids.length) return [];
    const pipe = this.redis.pipeline();
    for (const id of ids) pipe.hgetall(jobKey(id));
    const replies = (await pipe.exec()) ?? [];
    const jobs: JobRecord[] = [];
    const gone: string[] = [];
    ids.forEach((id, i) => {
      const [err, raw] = replies[i] ?? [];
      const job = err ? undefined : parse(raw as Record<string, string>);
      if (job) jobs.push(job);
      else if (!err) gone.push(id);
    });
    if (gone.length) await this.redis.zrem(set, ...gone);
    if (set === ACTIVE) {
      const done = jobs.filter((j) => !isActive(j.status)).map((j) => j.jobId);
      if (done.length) await this.redis.zrem(ACTIVE, ...done);
    }
    return jobs;
  }
}

const ms = (v: number): number => Math.max(1, Math.round(v));

/** A record or patch as hash field/value pairs; absent fields are left out. */
function fields(o: JobPatch | JobRecord): string[] {
  return Object.entries(o).flatMap(([k, v]) => (v === undefined ? [] : [k, String(v)]));
}

function parse(raw: Record<string, string> | null | undefined): JobRecord | undefined {
  if (!raw?.jobId || !raw.digest || !STATUSES.has(raw.status ?? '')) return undefined;
  const num = (k: string): number | undefined => (raw[k] === undefined ? undefined : Number(raw[k]));
  const job: JobRecord = {
    jobId: raw.jobId,
    digest: raw.digest,
    registry: raw.registry ?? '',
    repository: raw.repository ?? '',
    size: num('size'),
    status: raw.status as JobStatus,
    seederId: raw.seederId,
    url: raw.url,
    bytes: num('bytes') ?? 0,
    total: num('total'),
    attempts: num('attempts') ?? 0,
    createdAt: num('createdAt') ?? 0,
    updatedAt: num('updatedAt') ?? 0,
    reason: raw.reason,
  };
  // Absent stays absent, so records read back compare equal to the ones written.
  return Object.fromEntries(Object.entries(job).filter(([, v]) => v !== undefined)) as JobRecord;
}
