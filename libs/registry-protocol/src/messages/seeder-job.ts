import { IsBoolean, IsOptional, IsString, IsUrl, MaxLength } from 'class-validator';
import { AUTHORIZATION_MAX_LENGTH, IsHeaderValue } from '../header-value.js';
import { IsJobId, IsNodeId } from '../ids.js';
import { IsDigest } from '../oci/digest.js';
import { IsRepositoryName } from '../oci/reference.js';
import { IsRegistryHost } from '../oci/registry-host.js';
import { IsAtMost, IsCount, IsPlainText } from '../rule.js';
import { URL_MAX_LENGTH, URL_OPTIONS } from '../url.js';

/** Longest failure or refusal reason, in characters. */
export const REASON_MAX_LENGTH = 1024;

/** The coordinator gives one seeder a blob to download from the upstream and share. */
export class AssignJobRequest {
  /** Chosen by the coordinator; every later report about this job carries it. */
  @IsJobId()
  jobId!: string;

  /** The blob to fetch. The seeder verifies it before serving a byte under this digest. */
  @IsDigest()
  digest!: string;

  /** Upstream registry, normalised. */
  @IsRegistryHost()
  registry!: string;

  /** Repository to fetch the blob through (registries gate blobs by repository). */
  @IsRepositoryName()
  repository!: string;

  /** Expected size from the manifest descriptor, when known. */
  @IsOptional()
  @IsCount()
  size?: number;

  /**
   * Credential to fetch with: the requesting client's `Authorization` value or a token the
   * coordinator obtained. SECRET: never log it; see `redactSecrets`.
   */
  @IsOptional()
  @IsHeaderValue(AUTHORIZATION_MAX_LENGTH)
  authorization?: string;
}

/** The seeder's answer to an assignment. */
export class AssignJobResponse {
  /** Echoed from the request. */
  @IsJobId()
  jobId!: string;

  /** The seeder that answered. */
  @IsNodeId()
  seederId!: string;

  /** False when the seeder is full or draining; the coordinator then tries another one. */
  @IsBoolean()
  accepted!: boolean;

  /** Base URL of the seeder's peer endpoint; the blob is served at `${url}/blobs/${digest}`. */
  @IsUrl(URL_OPTIONS)
  @MaxLength(URL_MAX_LENGTH)
  url!: string;

  /** Why the job was refused, when `accepted` is false. */
  @IsOptional()
  @IsString()
  @MaxLength(REASON_MAX_LENGTH)
  @IsPlainText()
  reason?: string;
}

/** A seeder reports how far a download job has come (also what `job.progress` would carry). */
export class ReportJobProgressRequest {
  /** The job reported on. */
  @IsJobId()
  jobId!: string;

  /** The seeder running it. */
  @IsNodeId()
  seederId!: string;

  /** The blob being downloaded. */
  @IsDigest()
  digest!: string;

  /** Bytes downloaded and verified so far; never more than `total`. */
  @IsCount()
  @IsAtMost('total')
  bytes!: number;

  /** Total size, once the upstream told it. */
  @IsOptional()
  @IsCount()
  total?: number;
}

/** A seeder reports that a job's blob is complete, verified and served. */
export class CompleteJobRequest {
  /** The job completed. */
  @IsJobId()
  jobId!: string;

  /** The seeder that ran it. */
  @IsNodeId()
  seederId!: string;

  /** The blob, verified against this digest. */
  @IsDigest()
  digest!: string;

  /** Its size in bytes. */
  @IsCount()
  size!: number;
}

/** A seeder reports that a job failed; the coordinator may reassign it. */
export class FailJobRequest {
  /** The job that failed. */
  @IsJobId()
  jobId!: string;

  /** The seeder that ran it. */
  @IsNodeId()
  seederId!: string;

  /** The blob it was fetching. */
  @IsDigest()
  digest!: string;

  /** What went wrong, for operators; must not contain credentials. */
  @IsString()
  @MaxLength(REASON_MAX_LENGTH)
  @IsPlainText()
  reason!: string;
}
