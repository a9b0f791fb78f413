// class-transformer's @Type reads decorator metadata when the class is declared, so the polyfill
// must be loaded before this module's classes, whoever imports it first.
import 'reflect-metadata';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { AUTHORIZATION_MAX_LENGTH, IsHeaderValue } from '../header-value.js';
import { IsJobId, IsNodeId } from '../ids.js';
import { IsDigest } from '../oci/digest.js';
import { IsMediaType } from '../oci/media-types.js';
import { IsPlatform } from '../oci/platform.js';
import { IsReference, IsRepositoryName } from '../oci/reference.js';
import { IsRegistryHost } from '../oci/registry-host.js';
import { IsCount, IsObjectItems, IsPlainText } from '../rule.js';
import { LayerHolder } from './layer-index.js';
import { REASON_MAX_LENGTH } from './seeder-job.js';

/** Most blobs (config plus layers) of one image the coordinator handles; real images have < 128. */
export const IMAGE_MAX_BLOBS = 512;

/**
 * Most holders listed per blob in an image-layers reply (`holderCount` says how many there are),
 * so that the reply for an image of IMAGE_MAX_BLOBS blobs stays under NATS's 1 MiB max_payload.
 */
export const IMAGE_MAX_HOLDERS = 8;

/** What a blob is to its image. Wire-stable. */
export const ImageBlobKinds = ['config', 'layer'] as const;
/** One of ImageBlobKinds. */
export type ImageBlobKind = (typeof ImageBlobKinds)[number];

/**
 * One image, as `registry/repository:tag` or `@digest` names it. An index is followed to the
 * manifest of `platform` (DEFAULT_PLATFORM when absent).
 */
export class ImageQuery {
  /** Upstream registry, normalised (`registry-1.docker.io`). */
  @IsRegistryHost()
  registry!: string;

  /** Repository name, e.g. `library/ubuntu`. */
  @IsRepositoryName()
  repository!: string;

  /** A tag or a digest. */
  @IsReference()
  reference!: string;

  /** `os/architecture[/variant]` picked from an index; DEFAULT_PLATFORM when absent. */
  @IsOptional()
  @IsPlatform()
  platform?: string;

  /**
   * The caller's `Authorization` header value for the upstream, opaque. SECRET: never log it.
   * Absent: the coordinator acts for the cluster (anonymous, then the configured accounts).
   */
  @IsOptional()
  @IsHeaderValue(AUTHORIZATION_MAX_LENGTH)
  authorization?: string;
}

/** Where every blob of an image is held in the cluster. */
export class ImageLayersRequest extends ImageQuery {}

/** Seeders fetch every blob of an image that the cluster does not hold yet, ahead of a rollout. */
export class PreloadImageRequest extends ImageQuery {}

/** One blob of an image and the nodes holding it. */
export class ImageLayer {
  @IsDigest()
  digest!: string;

  /** Size from the manifest descriptor. */
  @IsCount()
  size!: number;

  /** Media type from the manifest descriptor. */
  @IsMediaType()
  mediaType!: string;

  @IsIn(ImageBlobKinds)
  kind!: ImageBlobKind;

  /** Live holders, most recently seen first, at most IMAGE_MAX_HOLDERS. */
  @IsArray()
  @ArrayMaxSize(IMAGE_MAX_HOLDERS)
  @IsObjectItems()
  @ValidateNested({ each: true })
  @Type(() => LayerHolder)
  holders!: LayerHolder[];

  /** How many holders there are in all. */
  @IsCount()
  holderCount!: number;
}

/** What an image reference resolved to. */
export class ResolvedImage {
  /** Echoed from the request (registry normalised). */
  @IsRegistryHost()
  registry!: string;

  @IsRepositoryName()
  repository!: string;

  @IsReference()
  reference!: string;

  /** Digest of what the reference names: an index or a manifest. */
  @IsDigest()
  digest!: string;

  /** Digest of the image manifest whose blobs are listed (equals `digest` without an index). */
  @IsDigest()
  manifestDigest!: string;

  /** The platform picked from the index; absent when the reference named a manifest. */
  @IsOptional()
  @IsPlatform()
  platform?: string;
}

/** An image's config and layers, in manifest order (config first), with their holders. */
export class ImageLayersResponse extends ResolvedImage {
  @IsArray()
  @ArrayMaxSize(IMAGE_MAX_BLOBS)
  @IsObjectItems()
  @ValidateNested({ each: true })
  @Type(() => ImageLayer)
  layers!: ImageLayer[];
}

/**
 * What preload did for one blob. `held`: some node already holds it, no job needed;
 * `assigned`: a seeder has a job for it (new or already running); `unassigned`: no live seeder
 * took it, so the first pull fetches it from the upstream. Wire-stable.
 */
export const PreloadStatuses = ['held', 'assigned', 'unassigned'] as const;
/** One of PreloadStatuses. */
export type PreloadStatus = (typeof PreloadStatuses)[number];

/** The job (or the lack of need for one) of one blob. */
export class PreloadJob {
  @IsDigest()
  digest!: string;

  @IsCount()
  size!: number;

  @IsIn(ImageBlobKinds)
  kind!: ImageBlobKind;

  @IsIn(PreloadStatuses)
  status!: PreloadStatus;

  /** The download job, when `assigned`; follow it with job-list or the job events. */
  @IsOptional()
  @IsJobId()
  jobId?: string;

  /** The seeder running it, when `assigned`. */
  @IsOptional()
  @IsNodeId()
  seederId?: string;

  /** Why nothing was started, when `unassigned`. */
  @IsOptional()
  @IsString()
  @MaxLength(REASON_MAX_LENGTH)
  @IsPlainText()
  reason?: string;
}

/** One entry per blob of the image, config first. */
export class PreloadImageResponse extends ResolvedImage {
  @IsArray()
  @ArrayMaxSize(IMAGE_MAX_BLOBS)
  @IsObjectItems()
  @ValidateNested({ each: true })
  @Type(() => PreloadJob)
  jobs!: PreloadJob[];
}
