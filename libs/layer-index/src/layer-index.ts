/** Where on a node a blob is held. */
export const LAYER_SOURCES = ['edge-cache', 'seeder', 'containerd'] as const;
export type LayerSource = (typeof LAYER_SOURCES)[number];

/** One node's claim to hold a blob. */
export interface LayerHolder {
  nodeId: string;
  size: number;
  source: LayerSource;
  /** Peer endpoint base URL of the node, when it serves blobs. */
  url?: string;
  /** When the claim was last (re)announced, ms since epoch. */
  lastSeen: number;
}

export interface AnnounceEntry {
  digest: string;
  size: number;
  source: LayerSource;
}

/**
 * The cluster-wide, soft-state index of which node holds which blob. Every claim expires unless
 * re-announced, so a node that vanishes stops being offered as a source on its own.
 */
export interface LayerIndex {
  /** Records (or refreshes) claims of one node; returns how many entries were written. */
  announce(nodeId: string, url: string | undefined, entries: AnnounceEntry[], ttlSeconds: number): Promise<number>;
  /** Removes one node's claims to these digests (of one source, or all); returns how many existed. */
  withdraw(nodeId: string, digests: string[], source?: LayerSource): Promise<number>;
  /** The live (unexpired) claims on a digest, one per node and source, most recently seen first. */
  lookup(digest: string): Promise<LayerHolder[]>;
}
