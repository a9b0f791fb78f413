// Real-world setup of the convergence integration specs: a token-auth docker-registry holding one
// pushed image, a real Redis, and coordinator replicas that each have their own Redis client and
// upstream client, as separate processes would. Not exported from the package index.
import { createHttpClient, HttpClientConfig } from '@accelerboat/http-client';
import { createRedis, RedisConfig, type Redis } from '@accelerboat/redis-client';
import { basicCredential, TokenCache, UpstreamClient, type Credential } from '@accelerboat/registry-client';
import { buildImage, pushImage, startRedisServer, startRegistry, type ImageFixture, type Registry, type RedisServer } from '@accelerboat/testing';
import { AccessService, type AccessServiceOptions } from './access.service.js';
import { ConvergedCalls } from './converged-calls.js';
import { RedisDecisionMemory } from './decision-memory.js';
import { ManifestService } from './manifest.service.js';
import { RedisSingleFlight } from './redis-single-flight.js';
import { InProcessSingleFlight } from './single-flight.js';
import { TokenService } from './token.service.js';
import { clusterFingerprinter } from './upstream.js';

export const USERS = { alice: 's3cret', bob: 'hunter2' };
export const REPOSITORY = 'team/private';

/** An `Authorization: Basic` value. */
export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** One simulated coordinator replica. */
export interface Replica {
  upstream: UpstreamClient;
  tokens: TokenService;
  manifests: ManifestService;
  access: AccessService;
}

/** The registry, Redis and a way to start replicas on them. */
export interface ConvergenceWorld {
  registry: Registry;
  image: ImageFixture;
  /** Digest of the pushed manifest (tag `v1`). */
  digest: string;
  redis: RedisServer;
  /** Starts a fresh replica (cold caches, own Redis client). */
  replica(options?: { access?: Partial<AccessServiceOptions>; configured?: Record<string, string> }): Promise<Replica>;
  /** Successful manifest GETs and all token-server requests so far. */
  counts(): Promise<{ manifestGets: number; manifestGetsAnyStatus: number; tokenRequests: number }>;
  stop(): Promise<void>;
}

/** Starts a token-auth registry (no anonymous pulls) with a two-layer image at `team/private:v1`, and Redis. */
export async function startWorld(): Promise<ConvergenceWorld> {
  const registry = await startRegistry({ auth: 'token', users: USERS, anonymousPull: false });
  const image = await buildImage({ layers: [200_000, 50_000], tag: 'v1' });
  const redis = await startRedisServer();
  const clients: Redis[] = [];
  const fingerprints = clusterFingerprinter('integration-test-cluster-secret');
  const prefix = `conv${process.pid}:`;
  const { digest } = await pushImage(image, { registry: registry.host, repository: REPOSITORY, tag: 'v1', creds: { username: 'alice', password: USERS.alice } });
  return {
    registry,
    image,
    digest,
    redis,
    async replica(options = {}) {
      const client = createRedis(Object.assign(new RedisConfig(), { url: redis.url, keyPrefix: prefix }), `replica-${clients.length}`);
      client.on('error', () => undefined);
      await new Promise((r) => client.once('ready', r));
      clients.push(client);
      const configured: Credential[] = Object.entries(options.configured ?? {}).map(([u, p]) => basicCredential(u, p));
      const http = createHttpClient(Object.assign(new HttpClientConfig(), { connectTimeoutMs: 500, responseTimeoutMs: 2000 }), 'accelerboat-coordination-int');
      const upstream = new UpstreamClient({ http, tokens: new TokenCache(), registries: { [registry.host]: { scheme: 'http', credentials: configured } } });
      const calls = new ConvergedCalls(new InProcessSingleFlight(new RedisSingleFlight(client)), { waitMs: 5000 });
      return {
        upstream,
        tokens: new TokenService(upstream, calls, fingerprints),
        manifests: new ManifestService(upstream, calls, fingerprints, { tagTtlMs: 10_000, digestTtlMs: 600_000 }),
        access: new AccessService(upstream, calls, fingerprints, new RedisDecisionMemory(client), {
          allowTtlMs: 60_000,
          denyTtlMs: 5_000,
          graceMs: 900_000,
          configured: () => configured,
          ...options.access,
        }),
      };
    },
    async counts() {
      const log = await registry.flushAccessLog();
      const gets = log.filter((e) => e.kind === 'manifest' && e.method === 'GET');
      const tokenRequests = (await registry.tokenServer!.requests()).length;
      return { manifestGets: gets.filter((e) => e.status < 300).length, manifestGetsAnyStatus: gets.length, tokenRequests };
    },
    async stop() {
      for (const c of clients) c.disconnect();
      await registry.stop();
      await redis.stop();
      await image.remove();
    },
  };
}
