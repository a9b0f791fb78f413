import { EnvKey } from '@accelerboat/config';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateIf, registerDecorator } from 'class-validator';

// One or more server URLs separated by commas: `nats://host:4222,tls://other:4222` or bare `host:port`.
const SERVER_LIST = /^\s*([a-z]+:\/\/)?[^\s,]+(\s*,\s*([a-z]+:\/\/)?[^\s,]+)*\s*$/;

/**
 * The NATS keys every app reads. Composed into each app's config (`loadConfig({ nats: NatsConfig, ... })`).
 * Property types are annotated explicitly because the loader converts by `design:type`.
 */
export class NatsConfig {
  /** Server URLs, comma-separated; the client fails over between them and reconnects forever. */
  @EnvKey('NATS_SERVERS', { description: 'NATS server URLs, comma-separated (nats://host:4222,...)' })
  @IsString()
  @Matches(SERVER_LIST, { message: 'must be a comma-separated list of server URLs' })
  servers: string = 'nats://127.0.0.1:4222';

  /** Default deadline of a request/reply call, in milliseconds. */
  @EnvKey('NATS_REQUEST_TIMEOUT_MS', { description: 'default request/reply timeout in milliseconds' })
  @IsInt()
  @Min(1)
  @Max(600_000)
  requestTimeoutMs: number = 2000;

  /** User for user/password auth; must come with NATS_PASSWORD. */
  @EnvKey('NATS_USER', { description: 'NATS user (with NATS_PASSWORD)' })
  @ValidateIf((c: NatsConfig) => c.user !== undefined || c.password !== undefined)
  @IsString({ message: 'is required when NATS_PASSWORD is set' })
  @MinLength(1)
  user?: string;

  /** Password for user/password auth; must come with NATS_USER. */
  @EnvKey('NATS_PASSWORD', { description: 'NATS password (with NATS_USER)', secret: true })
  @ValidateIf((c: NatsConfig) => c.user !== undefined || c.password !== undefined)
  @IsString({ message: 'is required when NATS_USER is set' })
  @MinLength(1)
  password?: string;

  /** Token auth, the alternative to user/password. */
  @EnvKey('NATS_TOKEN', { description: 'NATS auth token (instead of NATS_USER/NATS_PASSWORD)', secret: true })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @NotWith('user', 'cannot be combined with NATS_USER/NATS_PASSWORD')
  token?: string;

  /** Connection name shown in the server's /connz; defaults to the service name. */
  @EnvKey('NATS_NAME', { description: 'connection name shown by the server (default: the service name)' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  name?: string;
}

/** The configured server URLs as a list, blanks dropped. */
export function natsServers(config: Pick<NatsConfig, 'servers'>): string[] {
  return config.servers
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

// A server accepts one auth method; a token silently ignored next to a user (or the reverse)
// would be a confusing misconfiguration, so the pair is refused at boot.
function NotWith(other: keyof NatsConfig, message: string): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      name: 'notWith',
      target: target.constructor,
      propertyName: String(property),
      options: { message },
      validator: { validate: (value: unknown, args) => value === undefined || (args?.object as NatsConfig)[other] === undefined },
    });
}
