import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { EnvKey } from '@accelerboat/config';

/** Where the soft-state store lives. Single node by default; Sentinel when REDIS_SENTINELS is set. */
export class RedisConfig {
  @EnvKey('REDIS_URL', { description: 'redis://[user:password@]host:port/db of the state store', secret: true })
  @IsString()
  url: string = 'redis://127.0.0.1:6379/0';

  @EnvKey('REDIS_SENTINELS', { description: 'comma-separated host:port list; enables Sentinel mode with REDIS_SENTINEL_NAME' })
  @IsOptional()
  @IsString()
  sentinels?: string;

  @EnvKey('REDIS_SENTINEL_NAME', { description: 'Sentinel master group name' })
  @IsString()
  sentinelName: string = 'mymaster';

  @EnvKey('REDIS_KEY_PREFIX', { description: 'prefix for every key, so clusters can share one Redis' })
  @IsString()
  keyPrefix: string = 'p2p:';

  @EnvKey('REDIS_COMMAND_TIMEOUT_MS', { description: 'fail a command after this long instead of hanging a pull' })
  @IsInt()
  @Min(10)
  @Max(60000)
  commandTimeoutMs: number = 1000;

  @EnvKey('REDIS_MODE', { description: 'standalone or sentinel' })
  @IsIn(['standalone', 'sentinel'])
  mode: 'standalone' | 'sentinel' = 'standalone';
}
