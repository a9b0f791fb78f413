// class-transformer's @Type reads decorator metadata when the class is declared, so the polyfill
// must be loaded before this module's classes, whoever imports it first.
import 'reflect-metadata';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsOptional, ValidateNested } from 'class-validator';
import { IsCount, IsObjectItems } from '../rule.js';
import { IsInfoHash } from '../torrent.js';

/** Most torrents one stats reply lists. */
export const TRACKER_STATS_MAX_TORRENTS = 1000;

/** Ask the tracker for its swarm statistics. Takes no parameters. */
export class GetTrackerStatsRequest {}

/** One torrent as the tracker sees it (the `scrape` figures of BEP 48). */
export class TorrentStats {
  /** The torrent's info hash, 40 lowercase hex. */
  @IsInfoHash()
  infoHash!: string;

  /** Peers holding the whole blob (seeders). */
  @IsCount()
  complete!: number;

  /** Peers still downloading (leechers). */
  @IsCount()
  incomplete!: number;

  /** Sum of the bytes peers reported as uploaded, when tracked. */
  @IsOptional()
  @IsCount()
  bytesReported?: number;
}

/** Swarm totals and the busiest torrents. */
export class TrackerStatsResponse {
  /** Torrents with at least one peer. */
  @IsCount()
  swarms!: number;

  /** Distinct peers across all swarms. */
  @IsCount()
  peers!: number;

  /** Peer entries that hold the whole blob. */
  @IsCount()
  seeders!: number;

  /** Peer entries still downloading. */
  @IsCount()
  leechers!: number;

  /** Busiest torrents first, at most TRACKER_STATS_MAX_TORRENTS. */
  @IsArray()
  @ArrayMaxSize(TRACKER_STATS_MAX_TORRENTS)
  @IsObjectItems()
  @ValidateNested({ each: true })
  @Type(() => TorrentStats)
  torrents!: TorrentStats[];

  /** True when more torrents exist than `torrents` lists. */
  @IsOptional()
  @IsBoolean()
  truncated?: boolean;
}
