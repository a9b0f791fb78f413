import { IsBoolean, IsInt, IsOptional, IsUrl, Max, Min } from 'class-validator';
import { EnvKey } from '@accelerboat/config';

/** How every app talks HTTP to the outside: one egress proxy setting, TLS verified by default. */
export class HttpClientConfig {
  @EnvKey('HTTP_PROXY_URL', { description: 'egress proxy (http://[user:pass@]host:port) every upstream request goes through', secret: true })
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  httpProxy?: string;

  @EnvKey('UPSTREAM_TLS_VERIFY', { description: 'verify upstream TLS certificates (turn off only for test registries)' })
  @IsBoolean()
  tlsVerify: boolean = true;

  @EnvKey('UPSTREAM_CONNECT_TIMEOUT_MS', { description: 'give up connecting to an upstream after this long' })
  @IsInt()
  @Min(100)
  @Max(120000)
  connectTimeoutMs: number = 5000;

  @EnvKey('UPSTREAM_RESPONSE_TIMEOUT_MS', { description: 'give up when an upstream sends no response headers for this long' })
  @IsInt()
  @Min(100)
  @Max(600000)
  responseTimeoutMs: number = 30000;

  @EnvKey('UPSTREAM_MAX_SOCKETS', { description: 'connections per upstream host, so fallbacks cannot stampede the registry' })
  @IsInt()
  @Min(1)
  @Max(1024)
  maxSockets: number = 32;
}
