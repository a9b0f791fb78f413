import { IsBoolean, IsOptional } from 'class-validator';
import { AUTHORIZATION_MAX_LENGTH, IsHeaderValue } from '../header-value.js';
import { IsDigest } from '../oci/digest.js';
import { IsRepositoryName } from '../oci/reference.js';
import { IsRegistryHost } from '../oci/registry-host.js';

/**
 * May this credential pull from this repository? Asked before a blob held in the cluster is
 * served to a client, because holding the bytes says nothing about who may read them. The
 * coordinator converges and caches the answer per credential fingerprint and repository.
 */
export class CheckAccessRequest {
  @IsRegistryHost()
  registry!: string;

  @IsRepositoryName()
  repository!: string;

  /**
   * The blob about to be served. Access is then checked for this blob through this repository
   * (a registry refuses blobs a repository does not contain), not just for the repository.
   */
  @IsOptional()
  @IsDigest()
  digest?: string;

  /** The client's own `Authorization` header value. SECRET: never log it. Absent = anonymous. */
  @IsOptional()
  @IsHeaderValue(AUTHORIZATION_MAX_LENGTH)
  authorization?: string;
}

export class CheckAccessResponse {
  @IsBoolean()
  allowed!: boolean;

  /**
   * True when the upstream could not be asked and this is the last positive decision for the
   * credential and repository, still within its configured grace period.
   */
  @IsOptional()
  @IsBoolean()
  stale?: boolean;
}
