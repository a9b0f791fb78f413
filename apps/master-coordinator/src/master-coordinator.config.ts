import { IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { EnvKey } from '@accelerboat/config';
import { HttpClientConfig } from '@accelerboat/http-client';
import { NatsConfig } from '@accelerboat/nats-transport';
import { RedisConfig } from '@accelerboat/redis-client';
import { serviceConfigWithPort } from '@accelerboat/service-kit';

/** The coordinator's own keys, beside the service, NATS, Redis and upstream HTTP groups. */
export class CoordinatorConfig {
  @EnvKey('CLUSTER_SECRET', {
    description: 'secret shared by the cluster; keys credential fingerprints, so every replica must have the same one to share converged answers',
    secret: true,
  })
  @IsString()
  @MinLength(16)
  clusterSecret!: string;

  @EnvKey('REGISTRIES_FILE', { description: 'JSON file of upstream registries: originalHost, scheme, users[] (the same file the edge-proxies read)' })
  @IsOptional()
  @IsString()
  registriesFile?: string;

  @EnvKey('MANIFEST_TTL_SECONDS', { description: 'how long a converged manifest answer for a tag is reused (0: only concurrent requests share one)' })
  @IsInt()
  @Min(0)
  @Max(3600)
  manifestTtlSeconds: number = 10;

  @EnvKey('MANIFEST_DIGEST_TTL_SECONDS', {
    description: 'how long a manifest answer for a digest reference is reused; still per credential, so also how often access to it is re-checked upstream',
  })
  @IsInt()
  @Min(0)
  @Max(86400)
  manifestDigestTtlSeconds: number = 600;

  @EnvKey('ACCESS_ALLOW_TTL_SECONDS', { description: 'how long a positive pull-access answer is reused' })
  @IsInt()
  @Min(0)
  @Max(3600)
  accessAllowTtlSeconds: number = 60;

  @EnvKey('ACCESS_DENY_TTL_SECONDS', { description: 'how long a negative (or stale) pull-access answer is reused' })
  @IsInt()
  @Min(0)
  @Max(600)
  accessDenyTtlSeconds: number = 5;

  @EnvKey('ACCESS_GRACE_SECONDS', {
    description:
      'while the upstream cannot be asked (unreachable, timeout, 5xx), the last positive access decision for a credential and content holds this long (answered as stale); 0 disables',
  })
  @IsInt()
  @Min(0)
  @Max(7 * 86400)
  accessGraceSeconds: number = 900;

  @EnvKey('SEEDER_TTL_SECONDS', { description: 'a seeder that has not sent a heartbeat for this long is considered dead' })
  @IsInt()
  @Min(3)
  @Max(600)
  seederTtlSeconds: number = 15;

  @EnvKey('JOB_ATTEMPTS', { description: 'seeders a download job may be given (first one included) before it is declared failed' })
  @IsInt()
  @Min(1)
  @Max(10)
  jobAttempts: number = 3;

  @EnvKey('JOB_ASSIGN_TIMEOUT_MS', { description: 'longest wait for one seeder to accept a job; a locate tries seeders for at most twice this' })
  @IsInt()
  @Min(50)
  @Max(30000)
  jobAssignTimeoutMs: number = 1000;

  @EnvKey('JOB_SWEEP_INTERVAL_MS', { description: 'how often jobs of dead or stuck seeders are moved to live ones (one replica per period)' })
  @IsInt()
  @Min(100)
  @Max(600000)
  jobSweepIntervalMs: number = 2000;
}

export const coordinatorConfig = {
  service: serviceConfigWithPort(5081),
  nats: NatsConfig,
  redis: RedisConfig,
  http: HttpClientConfig,
  app: CoordinatorConfig,
};
