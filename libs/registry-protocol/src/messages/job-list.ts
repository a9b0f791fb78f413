// class-transformer's @Type reads decorator metadata when the class is declared, so the polyfill
// must be loaded before this module's classes, whoever imports it first.
import 'reflect-metadata';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUrl, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { IsJobId, IsNodeId } from '../ids.js';
import { IsDigest } from '../oci/digest.js';
import { IsRepositoryName } from '../oci/reference.js';
import { IsRegistryHost } from '../oci/registry-host.js';
import { IsCount, IsObjectItems, IsPlainText } from '../rule.js';
import { URL_MAX_LENGTH, URL_OPTIONS } from '../url.js';
import { REASON_MAX_LENGTH } from './seeder-job.js';

/** Most jobs one job-list reply carries (the coordinator remembers this many recent jobs). */
export const JOB_LIST_MAX = 1000;

/** Most job ids one job-list request may name. */
export const JOB_LIST_MAX_IDS = 1000;

/** Where a download job stands. `pending`: a coordinator is still choosing its seeder. Wire-stable. */
export const JobStatuses = ['pending', 'assigned', 'running', 'completed', 'failed'] as const;
/** One of JobStatuses. */
export type JobStatusName = (typeof JobStatuses)[number];

/** Ask the coordinator for seeder download jobs: the most recent ones, or the ones named. */
export class ListJobsRequest {
  /** How many of the most recent jobs, newest first (default 100). Ignored when `jobIds` is set. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(JOB_LIST_MAX)
  limit?: number;

  /** Only these jobs, in this order; unknown or expired ids are left out of the reply. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(JOB_LIST_MAX_IDS)
  @IsJobId({ each: true })
  jobIds?: string[];
}

/** One download job as operators see it. Never carries the credential it runs with. */
export class JobSummary {
  @IsJobId()
  jobId!: string;

  /** The blob the job brings into the cluster. */
  @IsDigest()
  digest!: string;

  /** Upstream registry it is fetched from, normalised. */
  @IsRegistryHost()
  registry!: string;

  /** Repository it is fetched through. */
  @IsRepositoryName()
  repository!: string;

  /** Expected size from the manifest descriptor, when the asker knew it. */
  @IsOptional()
  @IsCount()
  size?: number;

  @IsIn(JobStatuses)
  status!: JobStatusName;

  /** The seeder running it; absent while pending. */
  @IsOptional()
  @IsNodeId()
  seederId?: string;

  /** Base URL of that seeder's peer endpoint. */
  @IsOptional()
  @IsUrl(URL_OPTIONS)
  @MaxLength(URL_MAX_LENGTH)
  url?: string;

  /** Bytes downloaded so far, as last reported. */
  @IsCount()
  bytes!: number;

  /** Total size, once the seeder knows it. */
  @IsOptional()
  @IsCount()
  total?: number;

  /** Seeders that accepted the job so far (1 unless it was reassigned). */
  @IsCount()
  attempts!: number;

  /** When the job was created, ISO 8601. */
  @IsISO8601({ strict: true })
  @MaxLength(64)
  createdAt!: string;

  /** Its last change (progress reports included), ISO 8601. */
  @IsISO8601({ strict: true })
  @MaxLength(64)
  updatedAt!: string;

  /** Why it failed or was last reassigned. */
  @IsOptional()
  @IsString()
  @MaxLength(REASON_MAX_LENGTH)
  @IsPlainText()
  reason?: string;
}

/** Jobs, newest first (or in the order asked for). */
export class ListJobsResponse {
  @IsArray()
  @ArrayMaxSize(JOB_LIST_MAX)
  @IsObjectItems()
  @ValidateNested({ each: true })
  @Type(() => JobSummary)
  jobs!: JobSummary[];
}
