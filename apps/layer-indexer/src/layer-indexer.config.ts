import { IsInt, IsString, Max, Min } from 'class-validator';
import { EnvKey } from '@accelerboat/config';
import { NatsConfig } from '@accelerboat/nats-transport';
import { RedisConfig } from '@accelerboat/redis-client';
import { serviceConfigWithPort } from '@accelerboat/service-kit';

export class LayerIndexerConfig {
  @EnvKey('BLOB_DIRS', { description: 'comma-separated content-addressed blob stores of this node (edge cache, seeder store)' })
  @IsString()
  blobDirs: string = '/var/lib/accelerboat/cache';

  @EnvKey('INDEX_TTL_SECONDS', { description: 'lifetime of an index claim unless re-announced' })
  @IsInt()
  @Min(10)
  @Max(86400)
  indexTtlSeconds: number = 120;
}

export const layerIndexerConfig = {
  service: serviceConfigWithPort(5082),
  nats: NatsConfig,
  redis: RedisConfig,
  app: LayerIndexerConfig,
};
