import { IsOptional, IsString, IsUrl, MinLength } from 'class-validator';
import { EnvKey } from '@accelerboat/config';
import { NatsConfig } from '@accelerboat/nats-transport';
import { serviceConfigWithPort } from '@accelerboat/service-kit';

/** The edge-proxy's own keys; shared ones come from ServiceConfig and NatsConfig. */
export class EdgeProxyConfig {
  @EnvKey('CACHE_DIR', { description: 'directory of the verified, content-addressed blob cache' })
  @IsString()
  cacheDir: string = '/var/lib/accelerboat/cache';

  @EnvKey('CLUSTER_SECRET', { description: 'shared secret that peers present to read blobs from this node', secret: true })
  @IsString()
  @MinLength(16)
  clusterSecret!: string;

  @EnvKey('PUBLIC_URL', { description: 'base URL other nodes use to reach this node (default: derived from HTTP_HOST/PORT)' })
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  publicUrl?: string;
}

export const edgeProxyConfig = {
  service: serviceConfigWithPort(5080),
  nats: NatsConfig,
  app: EdgeProxyConfig,
};
