import { ArrayMaxSize, IsArray, IsISO8601, IsInt, IsOptional, IsString, IsUrl, Max, MaxLength, Min } from 'class-validator';
import { AUTHORIZATION_MAX_LENGTH, IsHeaderValue } from '../header-value.js';
import { IsRegistryHost } from '../oci/registry-host.js';
import { IsTokenScope } from '../oci/token-scope.js';
import { IsPlainText } from '../rule.js';
import { URL_MAX_LENGTH, URL_OPTIONS } from '../url.js';

/** Longest registry token carried, in characters; cloud registries issue tokens of several KiB. */
export const TOKEN_MAX_LENGTH = 16 * 1024;

/** Most scopes one token request may ask for. */
export const TOKEN_MAX_SCOPES = 16;

/**
 * Ask the coordinator for a registry bearer token (distribution token auth,
 * https://github.com/distribution/distribution/blob/main/docs/content/spec/auth/token.md).
 * Concurrent identical requests are converged into one upstream call, and the result is cached
 * per registry, scopes and credential fingerprint until it expires.
 */
export class GetTokenRequest {
  /** The registry whose challenge named the realm, normalised (`registry-1.docker.io`). */
  @IsRegistryHost()
  registry!: string;

  /**
   * The `realm` the client was sent to, informational only: the coordinator fetches tokens from
   * the realm the registry itself names in its own challenge, never from one a caller supplies,
   * so a caller cannot make it send credentials elsewhere.
   */
  @IsOptional()
  @IsUrl(URL_OPTIONS)
  @MaxLength(URL_MAX_LENGTH)
  realm?: string;

  /** The challenge's `service` parameter, passed through unchanged. */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  @IsPlainText()
  service?: string;

  /** Requested scopes, `repository:<name>:<actions>`; may be empty for an anonymous ping. */
  @IsArray()
  @ArrayMaxSize(TOKEN_MAX_SCOPES)
  @IsTokenScope({ each: true })
  scopes!: string[];

  /**
   * The client's own `Authorization` header value (`Basic …` or `Bearer …`), opaque to us.
   * SECRET: never log it, never put it in an error, event or metric; see `redactSecrets`.
   * Absent for anonymous pulls. Only printable ASCII is accepted, so it cannot split headers.
   */
  @IsOptional()
  @IsHeaderValue(AUTHORIZATION_MAX_LENGTH)
  authorization?: string;
}

/** A bearer token for the requested scopes. */
export class GetTokenResponse {
  /** The bearer token. SECRET: never log it. */
  @IsHeaderValue(TOKEN_MAX_LENGTH)
  token!: string;

  /** Lifetime in seconds from `issuedAt` (the spec's `expires_in`; 60 when the registry omits it). */
  @IsInt()
  @Min(0)
  @Max(366 * 24 * 3600)
  expiresIn!: number;

  /** When the registry issued it, ISO 8601 (the spec's `issued_at`). */
  @IsOptional()
  @IsISO8601({ strict: true })
  @MaxLength(64)
  issuedAt?: string;
}
