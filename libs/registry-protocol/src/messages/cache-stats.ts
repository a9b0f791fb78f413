import { IsNodeId } from '../ids.js';
import { IsCount } from '../rule.js';

/** Ask one edge-proxy for its blob cache figures. Takes no parameters. */
export class GetCacheStatsRequest {}

/** One node's blob cache, as counted since the process started. */
export class CacheStatsResponse {
  /** The answering node. */
  @IsNodeId()
  nodeId!: string;

  /** Verified blobs in the cache. */
  @IsCount()
  entries!: number;

  /** Bytes they take. May briefly exceed limitBytes until eviction catches up. */
  @IsCount()
  bytes!: number;

  /** Configured cache size. */
  @IsCount()
  limitBytes!: number;

  /** Blob requests served from the cache. */
  @IsCount()
  hits!: number;

  /** Blob requests that had to fetch elsewhere. */
  @IsCount()
  misses!: number;
}
