// class-transformer's @Type reads decorator metadata when the class is declared, so the polyfill
// must be loaded before this module's classes, whoever imports it first.
import 'reflect-metadata';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsUrl, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { IsNodeId } from '../ids.js';
import { IsDigest } from '../oci/digest.js';
import { IsCount, IsObjectItems } from '../rule.js';
import { URL_MAX_LENGTH, URL_OPTIONS } from '../url.js';

/**
 * Most entries one announce or withdraw carries. A full announce is about 1.1 MB of JSON, above
 * NATS's default 1 MiB max_payload, so announcers send batches of a few thousand.
 */
export const LAYER_BATCH_MAX = 10_000;

/** Most holders one lookup reply lists. */
export const LOOKUP_MAX_HOLDERS = 256;

/** Where a node holds a layer. Wire-stable. */
export const LayerHolderKinds = ['edge-cache', 'seeder', 'containerd'] as const;
/** One of LayerHolderKinds. */
export type LayerHolderKind = (typeof LayerHolderKinds)[number];

/** One blob a node holds, verified, and can serve to peers. */
export class AnnouncedLayer {
  /** The blob's digest. */
  @IsDigest()
  digest!: string;

  /** Its size in bytes. */
  @IsCount()
  size!: number;

  /** Which store on the node holds it. */
  @IsIn(LayerHolderKinds)
  source!: LayerHolderKind;
}

/** A node announces blobs it holds; entries expire unless announced again (soft state). */
export class AnnounceLayersRequest {
  /** The announcing node. */
  @IsNodeId()
  nodeId!: string;

  /** Base URL of the node's peer endpoint, when it serves blobs (`${url}/blobs/${digest}`). */
  @IsOptional()
  @IsUrl(URL_OPTIONS)
  @MaxLength(URL_MAX_LENGTH)
  url?: string;

  /** The blobs; may be empty to refresh the node's liveness only. */
  @IsArray()
  @ArrayMaxSize(LAYER_BATCH_MAX)
  @IsObjectItems()
  @ValidateNested({ each: true })
  @Type(() => AnnouncedLayer)
  entries!: AnnouncedLayer[];

  /** How long the entries stay valid without a new announce; the indexer's default otherwise. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(86_400)
  ttlSeconds?: number;
}

/** How many entries the index took. */
export class AnnounceLayersResponse {
  /** Entries recorded or refreshed. */
  @IsCount()
  accepted!: number;
}

/** A node stops offering blobs (evicted from its cache, removed from containerd). */
export class WithdrawLayersRequest {
  /** The withdrawing node. */
  @IsNodeId()
  nodeId!: string;

  /** The blobs it no longer holds. */
  @IsArray()
  @ArrayMaxSize(LAYER_BATCH_MAX)
  @IsDigest({ each: true })
  digests!: string[];

  /** Which store lost them; absent withdraws the node's claims from every store. */
  @IsOptional()
  @IsIn(LayerHolderKinds)
  source?: LayerHolderKind;
}

/** How many entries were removed. */
export class WithdrawLayersResponse {
  /** Entries that existed and are gone. */
  @IsCount()
  removed!: number;
}

/** Which nodes hold a blob. */
export class LookupLayerRequest {
  /** The blob wanted. */
  @IsDigest()
  digest!: string;
}

/** One node holding a blob, as last announced. */
export class LayerHolder {
  /** The holding node. */
  @IsNodeId()
  nodeId!: string;

  /** Size it announced, in bytes. */
  @IsCount()
  size!: number;

  /** Which store on the node holds it. */
  @IsIn(LayerHolderKinds)
  source!: LayerHolderKind;

  /** Base URL of the node's peer endpoint, when it announced one. */
  @IsOptional()
  @IsUrl(URL_OPTIONS)
  @MaxLength(URL_MAX_LENGTH)
  url?: string;

  /** When the node last announced it, ISO 8601. */
  @IsISO8601({ strict: true })
  @MaxLength(64)
  lastSeen!: string;
}

/** The nodes that hold a blob; empty when none does. */
export class LookupLayerResponse {
  /** The blob looked up, echoed. */
  @IsDigest()
  digest!: string;

  /** Holders, most recently seen first. */
  @IsArray()
  @ArrayMaxSize(LOOKUP_MAX_HOLDERS)
  @IsObjectItems()
  @ValidateNested({ each: true })
  @Type(() => LayerHolder)
  holders!: LayerHolder[];
}

/** Ask one node's layer-indexer whether it really holds a blob, before sending peers to it. */
export class VerifyLayerRequest {
  /** The blob. */
  @IsDigest()
  digest!: string;

  /** The size the index recorded; a holder with another size does not hold this blob. */
  @IsCount()
  size!: number;
}

/** Whether the node holds the blob now. */
export class VerifyLayerResponse {
  /** The blob, echoed. */
  @IsDigest()
  digest!: string;

  /** True when the blob is present, complete and of the expected size. */
  @IsBoolean()
  present!: boolean;

  /** The size found, when present. */
  @IsOptional()
  @IsCount()
  size?: number;
}
