import { hostname } from 'node:os';
import { IsIn, IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { EnvKey } from '@accelerboat/config';

/** What every app has: where its HTTP endpoints listen and who it is. */
export class ServiceConfig {
  @EnvKey('HTTP_HOST', { description: 'address the HTTP server binds (health, metrics and the app surface)' })
  @IsString()
  httpHost: string = '0.0.0.0';

  @EnvKey('HTTP_PORT', { description: 'port of the HTTP server' })
  @IsInt()
  @Min(0)
  @Max(65535)
  httpPort!: number;

  @EnvKey('INSTANCE_ID', { description: 'this instance (node name for per-node apps); one NATS subject token' })
  @Matches(/^[A-Za-z0-9_-]{1,128}$/, { message: 'must be 1-128 characters of A-Z a-z 0-9 _ -' })
  instanceId: string = hostname().replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 128) || 'local';

  @EnvKey('LOG_LEVEL', { description: 'fatal, error, warn, info, debug or trace' })
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  logLevel: string = 'info';

  @EnvKey('SHUTDOWN_GRACE_MS', { description: 'how long in-flight work may take to finish on SIGTERM' })
  @IsInt()
  @Min(0)
  @Max(600000)
  shutdownGraceMs: number = 10000;
}

/** A ServiceConfig whose HTTP_PORT defaults to the app's well-known port. */
export function serviceConfigWithPort(defaultPort: number): typeof ServiceConfig {
  return class extends ServiceConfig {
    override httpPort: number = defaultPort;
  };
}
