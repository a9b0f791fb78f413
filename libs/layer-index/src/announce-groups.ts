import { BlobDirProvider, type BlobDirProviderOptions } from './blob-dir-provider.js';
import type { BlobDirSpec } from './blob-dirs.js';
import type { AnnounceGroup } from './local-content-announcer.js';
import type { LocalProvider } from './local-provider.js';

/** What {@link announceGroups} builds the groups from. */
export interface AnnounceGroupsInput {
  /** Parsed BLOB_DIRS. */
  blobDirs: BlobDirSpec[];
  /** This node's peer endpoint (PEER_URL): the URL of every source without one of its own. */
  peerUrl?: string;
  /** containerd's content as a provider, when the node has containerd. */
  containerd?: LocalProvider;
  blobDirOptions?: BlobDirProviderOptions;
}

/**
 * Groups the node's stores by source for the LocalContentAnnouncer: one group per source, with
 * the URL that serves it. A source without any URL is left out (and named in `skipped`): a claim
 * without a URL cannot be used by peers, and would overwrite the URL that the store's owner
 * announces for the same node and source.
 */
export function announceGroups(input: AnnounceGroupsInput): { groups: AnnounceGroup[]; skipped: string[] } {
  const groups = new Map<string, AnnounceGroup>();
  const skipped: string[] = [];
  const add = (source: AnnounceGroup['source'], url: string | undefined, provider: LocalProvider): void => {
    if (!url) {
      skipped.push(`${source}:${provider.name}`);
      return;
    }
    const g = groups.get(source) ?? { source, url, providers: [] };
    g.providers.push(provider);
    groups.set(source, g);
  };
  if (input.containerd) add('containerd', input.peerUrl, input.containerd);
  for (const d of input.blobDirs) add(d.source, d.url ?? input.peerUrl, new BlobDirProvider(d.path, input.blobDirOptions));
  return { groups: [...groups.values()], skipped };
}
