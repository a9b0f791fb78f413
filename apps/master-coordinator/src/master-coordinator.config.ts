import { IsInt, Max, Min } from 'class-validator';
import { EnvKey } from '@accelerboat/config';
import { NatsConfig } from '@accelerboat/nats-transport';
import { RedisConfig } from '@accelerboat/redis-client';
import { serviceConfigWithPort } from '@accelerboat/service-kit';

/** The coordinator's own keys, beside the service, NATS and Redis groups. */
export class CoordinatorConfig {
  @EnvKey('MANIFEST_TTL_SECONDS', { description: 'how long a converged manifest answer is reused' })
  @IsInt()
  @Min(0)
  @Max(3600)
  manifestTtlSeconds: number = 10;

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
  app: CoordinatorConfig,
};
