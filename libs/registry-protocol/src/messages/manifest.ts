import { ArrayMaxSize, IsArray, IsOptional, Max } from 'class-validator';
import { IsBase64Bytes } from '../base64.js';
import { AUTHORIZATION_MAX_LENGTH, IsHeaderValue } from '../header-value.js';
import { IsDigest } from '../oci/digest.js';
import { IsMediaRange, IsMediaType, MANIFEST_MAX_BYTES } from '../oci/media-types.js';
import { IsReference, IsRepositoryName } from '../oci/reference.js';
import { IsRegistryHost } from '../oci/registry-host.js';
import { IsCount } from '../rule.js';

/** Most Accept items one manifest request carries. */
export const MANIFEST_MAX_ACCEPT = 32;

/**
 * The manifest a client asks for (`/v2/<repository>/manifests/<reference>` on `registry`). The
 * coordinator converges identical requests and caches answers per registry, repository,
 * reference, accept list and credential fingerprint, so one client's view never leaks to another.
 */
export class ManifestQuery {
  /** Upstream registry, normalised (`registry-1.docker.io`). */
  @IsRegistryHost()
  registry!: string;

  /** Repository name, e.g. `library/ubuntu`. */
  @IsRepositoryName()
  repository!: string;

  /** A tag or a digest. */
  @IsReference()
  reference!: string;

  /** The client's Accept items, in its order; empty means MANIFEST_ACCEPT. */
  @IsArray()
  @ArrayMaxSize(MANIFEST_MAX_ACCEPT)
  @IsMediaRange({ each: true })
  accept!: string[];

  /**
   * The client's own `Authorization` header value, opaque. SECRET: never log it, never put it in
   * an error, event or metric; see `redactSecrets`. Absent for anonymous pulls.
   */
  @IsOptional()
  @IsHeaderValue(AUTHORIZATION_MAX_LENGTH)
  authorization?: string;
}

/** Resolve a manifest without its body (HEAD): digest, media type and size. */
export class HeadManifestRequest extends ManifestQuery {}

/** Fetch a manifest with its exact bytes (GET). */
export class GetManifestRequest extends ManifestQuery {}

/** What a HEAD on the manifest tells: enough to answer the client's HEAD. */
export class HeadManifestResponse {
  /** `Docker-Content-Digest`: the digest of the exact manifest bytes. */
  @IsDigest()
  digest!: string;

  /** `Content-Type` of the manifest. */
  @IsMediaType()
  mediaType!: string;

  /** Length of the manifest in bytes. */
  @IsCount()
  @Max(MANIFEST_MAX_BYTES)
  size!: number;
}

/**
 * A manifest with its bytes. The coordinator verified `digest` over the decoded body before
 * answering (and against `reference` when that is a digest).
 *
 * Note: 4 MiB of manifest is about 5.6 MB of base64, above NATS's default 1 MiB max_payload. The
 * NATS servers must allow larger payloads, or larger manifests take the upstream fallback.
 */
export class GetManifestResponse extends HeadManifestResponse {
  /** The exact manifest bytes, standard base64; decodes to exactly `size` bytes. */
  @IsBase64Bytes(MANIFEST_MAX_BYTES, 'size')
  body!: string;
}
