import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, IsUrl, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { IsDigest } from '../oci/digest.js';

/** Ask the coordinator where a blob can be fetched from. */
export class LocateBlobRequest {
  @IsDigest()
  digest!: string;

  /** Size from the manifest descriptor, when the caller knows it. */
  @IsOptional()
  @IsInt()
  @Min(0)
  size?: number;

  /** The node asking, so that it is not handed itself as a source. */
  @IsOptional()
  @IsString()
  @MaxLength(128)
  nodeId?: string;
}

export const SourceKinds = ['peer', 'seeder', 'containerd', 'upstream'] as const;
export type SourceKind = (typeof SourceKinds)[number];

/** One place a blob can be read from, over the HTTP data plane. */
export class BlobSource {
  @IsIn(SourceKinds)
  kind!: SourceKind;

  @IsOptional()
  @IsString()
  @MaxLength(128)
  nodeId?: string;

  /** Base URL of the peer endpoint; the blob is at `${url}/blobs/${digest}`. */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  url!: string;

  /** Relative load of the source (0 = idle); lower ranks first. */
  @IsOptional()
  @Min(0)
  load?: number;
}

export class LocateBlobResponse {
  @IsDigest()
  digest!: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  size?: number;

  /** Ranked best first. Empty means: go to the upstream yourself. */
  @IsArray()
  @ArrayMaxSize(64)
  @ValidateNested({ each: true })
  @Type(() => BlobSource)
  sources!: BlobSource[];

  /** Set when a seeder was given a download job for this blob. */
  @IsOptional()
  @IsString()
  @MaxLength(128)
  jobId?: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(3600)
  ttlSeconds?: number;
}
