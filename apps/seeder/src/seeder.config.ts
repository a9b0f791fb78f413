import { IsInt, IsOptional, IsString, IsUrl, Max, Min, MinLength } from 'class-validator';
import { EnvKey } from '@accelerboat/config';
import { NatsConfig } from '@accelerboat/nats-transport';
import { serviceConfigWithPort } from '@accelerboat/service-kit';

export class SeederConfig {
  @EnvKey('SEEDER_DIR', { description: 'content-addressed store of downloaded, verified blobs' })
  @IsString()
  storeDir: string = '/var/lib/accelerboat/seeder';

  @EnvKey('PUBLIC_URL', { description: 'base URL peers use to fetch blobs from this seeder' })
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  publicUrl?: string;

  @EnvKey('CLUSTER_SECRET', { description: 'shared secret peers present to read blobs', secret: true })
  @IsString()
  @MinLength(16)
  clusterSecret!: string;

  @EnvKey('MAX_JOBS', { description: 'downloads this seeder runs at once' })
  @IsInt()
  @Min(1)
  @Max(256)
  maxJobs: number = 4;

  @EnvKey('HEARTBEAT_INTERVAL_MS', { description: 'how often load is reported to the coordinator' })
  @IsInt()
  @Min(200)
  @Max(60000)
  heartbeatIntervalMs: number = 5000;
}

export const seederConfig = {
  service: serviceConfigWithPort(5083),
  nats: NatsConfig,
  app: SeederConfig,
};
