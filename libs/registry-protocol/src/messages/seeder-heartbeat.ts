import { IsInt, IsNumber, IsOptional, IsString, IsUrl, Max, MaxLength, Min } from 'class-validator';
import { IsNodeId } from '../ids.js';
import { IsCount, IsPlainText } from '../rule.js';
import { URL_MAX_LENGTH, URL_OPTIONS } from '../url.js';

/** Most concurrent jobs one seeder may declare. */
export const SEEDER_MAX_JOBS = 1024;

/**
 * A seeder's periodic liveness and load report. The coordinator keeps seeders that reported
 * recently as job candidates and prefers the least loaded one.
 */
export class SeederHeartbeatRequest {
  /** The reporting seeder; also the `{seeder}` token of its job-assign subject. */
  @IsNodeId()
  seederId!: string;

  /** Base URL of its peer endpoint. */
  @IsUrl(URL_OPTIONS)
  @MaxLength(URL_MAX_LENGTH)
  url!: string;

  /** Jobs running now. May briefly exceed maxJobs after maxJobs was lowered. */
  @IsInt()
  @Min(0)
  @Max(SEEDER_MAX_JOBS)
  activeJobs!: number;

  /** Jobs it accepts at once; 0 means draining. */
  @IsInt()
  @Min(0)
  @Max(SEEDER_MAX_JOBS)
  maxJobs!: number;

  /** Load figure (1 = fully busy); above 1 when overloaded. */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1000)
  load!: number;

  /** Bytes served to peers since start. */
  @IsOptional()
  @IsCount()
  bytesServed?: number;

  /** Software version, for operators. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @IsPlainText()
  version?: string;
}
