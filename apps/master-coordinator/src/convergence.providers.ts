import type { Provider } from '@nestjs/common';
import {
  AccessService,
  clusterFingerprinter,
  ConvergedCalls,
  ConvergenceMetrics,
  InProcessSingleFlight,
  ManifestService,
  RedisDecisionMemory,
  TokenService,
} from '@accelerboat/coordination';
import { createHttpClient, HttpClientConfig } from '@accelerboat/http-client';
import { loadRegistries, passwordOf, type RegistryMapping } from '@accelerboat/mirror';
import { NATS_CONNECTION, NatsConfig } from '@accelerboat/nats-transport';
import { MetricsRegistry, type Logger } from '@accelerboat/observability';
import { REDIS, type Redis } from '@accelerboat/redis-client';
import { basicCredential, Fingerprinter, TokenCache, UpstreamClient } from '@accelerboat/registry-client';
import { LOGGER, SERVICE_IDENTITY, type ServiceIdentity } from '@accelerboat/service-kit';
import { CoordinatorConfig } from './master-coordinator.config.js';

/** Injection token of the validated REGISTRIES_FILE entries. */
export const REGISTRIES = Symbol('REGISTRIES');

/** What the coordinator reads of its NATS connection: the server's message size limit. */
type ServerInfoHolder = { info?: { max_payload: number } };

/**
 * Token, manifest and access convergence: one upstream client (egress proxy, TLS and the
 * operator's accounts from REGISTRIES_FILE) behind the replica's single flight, with fingerprints
 * that every replica computes alike from CLUSTER_SECRET.
 */
export const convergenceProviders: Provider[] = [
  {
    provide: REGISTRIES,
    useFactory: (cfg: CoordinatorConfig): RegistryMapping[] => loadRegistries(cfg.registriesFile),
    inject: [CoordinatorConfig],
  },
  {
    provide: Fingerprinter,
    useFactory: (cfg: CoordinatorConfig) => clusterFingerprinter(cfg.clusterSecret),
    inject: [CoordinatorConfig],
  },
  {
    provide: UpstreamClient,
    useFactory: (http: HttpClientConfig, registries: RegistryMapping[], id: ServiceIdentity) =>
      new UpstreamClient({
        http: createHttpClient(http, `accelerboat-${id.service}/${id.version}`),
        tokens: new TokenCache(),
        registries: Object.fromEntries(
          registries.map((r) => [r.originalHost, { scheme: r.scheme, credentials: r.users.map((u) => basicCredential(u.username, passwordOf(u))) }]),
        ),
      }),
    inject: [HttpClientConfig, REGISTRIES, SERVICE_IDENTITY],
  },
  {
    provide: ConvergedCalls,
    useFactory: (flight: InProcessSingleFlight, metrics: MetricsRegistry, nats: NatsConfig) =>
      // Waiting for another replica past the edge's own deadline helps nobody.
      new ConvergedCalls(flight, { observer: new ConvergenceMetrics(metrics), waitMs: nats.requestTimeoutMs }),
    inject: [InProcessSingleFlight, MetricsRegistry, NatsConfig],
  },
  {
    provide: TokenService,
    useFactory: (upstream: UpstreamClient, calls: ConvergedCalls, fp: Fingerprinter) => new TokenService(upstream, calls, fp),
    inject: [UpstreamClient, ConvergedCalls, Fingerprinter],
  },
  {
    provide: ManifestService,
    useFactory: (upstream: UpstreamClient, calls: ConvergedCalls, fp: Fingerprinter, cfg: CoordinatorConfig, nc: ServerInfoHolder) =>
      new ManifestService(upstream, calls, fp, {
        tagTtlMs: cfg.manifestTtlSeconds * 1000,
        digestTtlMs: cfg.manifestDigestTtlSeconds * 1000,
        maxPayloadBytes: () => nc.info?.max_payload,
      }),
    inject: [UpstreamClient, ConvergedCalls, Fingerprinter, CoordinatorConfig, NATS_CONNECTION],
  },
  {
    provide: AccessService,
    useFactory: (upstream: UpstreamClient, calls: ConvergedCalls, fp: Fingerprinter, redis: Redis, cfg: CoordinatorConfig, registries: RegistryMapping[], logger: Logger) => {
      const accounts = new Map(registries.map((r) => [r.originalHost, r.users]));
      return new AccessService(upstream, calls, fp, new RedisDecisionMemory(redis), {
        allowTtlMs: cfg.accessAllowTtlSeconds * 1000,
        denyTtlMs: cfg.accessDenyTtlSeconds * 1000,
        graceMs: cfg.accessGraceSeconds * 1000,
        // Read at each use, so a rotated password Secret takes effect without a restart.
        configured: (registry) => (accounts.get(registry) ?? []).map((u) => basicCredential(u.username, passwordOf(u))),
        onMemoryError: (e) => logger.debug({ err: (e as Error).message }, 'could not record an access decision for its grace period'),
      });
    },
    inject: [UpstreamClient, ConvergedCalls, Fingerprinter, REDIS, CoordinatorConfig, REGISTRIES, LOGGER],
  },
];
