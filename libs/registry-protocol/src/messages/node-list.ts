// class-transformer's @Type reads decorator metadata when the class is declared, so the polyfill
// must be loaded before this module's classes, whoever imports it first.
import 'reflect-metadata';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsISO8601, IsNumber, IsOptional, IsString, IsUrl, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { IsNodeId } from '../ids.js';
import { IsCount, IsObjectItems, IsPlainText } from '../rule.js';
import { URL_MAX_LENGTH, URL_OPTIONS } from '../url.js';
import { SEEDER_MAX_JOBS } from './seeder-heartbeat.js';

/** Most seeders one node-list reply carries. */
export const NODE_LIST_MAX = 4096;

/**
 * Ask the coordinator for the nodes it knows from their own reports: the live seeders and their
 * load. Takes no parameters. Per-node daemons (edge-proxy, layer-indexer) are listed by the NATS
 * services API (`$SRV.PING`), where each instance id is its node id.
 */
export class ListNodesRequest {}

/** One seeder as its last heartbeat described it. */
export class SeederNode {
  @IsNodeId()
  seederId!: string;

  /** Base URL of its peer endpoint. */
  @IsUrl(URL_OPTIONS)
  @MaxLength(URL_MAX_LENGTH)
  url!: string;

  /** Jobs running now. */
  @IsInt()
  @Min(0)
  @Max(SEEDER_MAX_JOBS)
  activeJobs!: number;

  /** Jobs it accepts at once; 0 means draining. */
  @IsInt()
  @Min(0)
  @Max(SEEDER_MAX_JOBS)
  maxJobs!: number;

  /** Load figure (1 = fully busy). */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1000)
  load!: number;

  /** Bytes served to peers since it started, when reported. */
  @IsOptional()
  @IsCount()
  bytesServed?: number;

  /** Its software version, when reported. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @IsPlainText()
  version?: string;

  /** When the coordinator last heard from it, ISO 8601. */
  @IsISO8601({ strict: true })
  @MaxLength(64)
  lastSeen!: string;
}

/** Live seeders, least busy first. */
export class ListNodesResponse {
  @IsArray()
  @ArrayMaxSize(NODE_LIST_MAX)
  @IsObjectItems()
  @ValidateNested({ each: true })
  @Type(() => SeederNode)
  seeders!: SeederNode[];
}
