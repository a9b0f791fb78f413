// class-transformer's @Type reads decorator metadata when the class is declared, so the polyfill
// must be loaded before this module's classes, whoever imports it first.
import 'reflect-metadata';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsISO8601, MaxLength, ValidateNested } from 'class-validator';
import { IsObjectItems } from '../rule.js';
import { SeederHeartbeatRequest } from './seeder-heartbeat.js';

/** Most seeders one node-list reply carries. */
export const NODE_LIST_MAX = 4096;

/**
 * Ask the coordinator for the nodes it knows from their own reports: the live seeders and their
 * load. Takes no parameters. Per-node daemons (edge-proxy, layer-indexer) are listed by the NATS
 * services API (`$SRV.PING`), where each instance id is its node id.
 */
export class ListNodesRequest {}

/** One seeder as its last heartbeat described it, plus when that was. */
export class SeederNode extends SeederHeartbeatRequest {
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
