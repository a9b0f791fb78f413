import { IsInt, Max, Min } from 'class-validator';
import { EnvKey } from '@accelerboat/config';
import { NatsConfig } from '@accelerboat/nats-transport';
import { RedisConfig } from '@accelerboat/redis-client';
import { serviceConfigWithPort } from '@accelerboat/service-kit';

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
}

export const coordinatorConfig = {
  service: serviceConfigWithPort(5081),
  nats: NatsConfig,
  redis: RedisConfig,
  app: CoordinatorConfig,
};
