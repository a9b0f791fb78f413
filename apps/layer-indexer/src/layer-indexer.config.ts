import { IsInt, IsOptional, IsString, IsUrl, Max, Min, registerDecorator } from 'class-validator';
import { EnvKey } from '@accelerboat/config';
import { ContainerdConfig } from '@accelerboat/containerd-client';
import { blobDirsProblem, parseBlobDirs, type BlobDirSpec } from '@accelerboat/layer-index';
import { NatsConfig } from '@accelerboat/nats-transport';
import { RedisConfig } from '@accelerboat/redis-client';
import { serviceConfigWithPort } from '@accelerboat/service-kit';

/** BLOB_DIRS must parse at boot, so that a typo stops the process naming the key, not later. */
function IsBlobDirs(): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      name: 'isBlobDirs',
      target: target.constructor,
      propertyName: String(property),
      validator: {
        validate: (value: unknown) => blobDirsProblem(value) === undefined,
        defaultMessage: (args) => blobDirsProblem(args?.value) ?? 'must be a list of blob directories',
      },
    });
}

/** The layer-indexer's own keys; containerd's come from ContainerdConfig. */
export class LayerIndexerConfig {
  @EnvKey('BLOB_DIRS', {
    description:
      'comma-separated blob stores of this node as [edge-cache:|seeder:]<path>[@<url>] (a plain path is an edge-cache store; the url defaults to PEER_URL)',
  })
  @IsString()
  @IsBlobDirs()
  blobDirs: string = 'edge-cache:/var/lib/accelerboat/cache';

  @EnvKey('INDEX_TTL_SECONDS', { description: 'lifetime of an index claim unless re-announced; local blobs are re-announced every third of it' })
  @IsInt()
  @Min(10)
  @Max(86400)
  indexTtlSeconds: number = 120;

  @EnvKey('PEER_URL', {
    description: "base URL of this node's peer endpoint (the edge-proxy's, e.g. http://<node-ip>:5080) announced for local blobs; unset: local blobs are not announced",
  })
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  peerUrl?: string;

  /** BLOB_DIRS parsed (validated at boot, so this does not throw). */
  get blobDirSpecs(): BlobDirSpec[] {
    return parseBlobDirs(this.blobDirs);
  }
}

export const layerIndexerConfig = {
  service: serviceConfigWithPort(5082),
  nats: NatsConfig,
  redis: RedisConfig,
  app: LayerIndexerConfig,
  containerd: ContainerdConfig,
};
