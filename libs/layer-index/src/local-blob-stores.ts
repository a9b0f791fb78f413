import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContentStore } from '@accelerboat/containerd-client';
import { Digest } from '@accelerboat/registry-protocol';

/**
 * The node's own blobs: its content-addressed stores (edge cache, seeder store), laid out like an
 * OCI image layout (`<dir>/blobs/<algorithm>/<hex>`), and containerd's content store when there
 * is one. Files are found by parsed digest only, never by a caller-supplied path, so no request
 * can reach outside these directories.
 */
export class LocalBlobStores {
  constructor(
    private readonly dirs: string[],
    private readonly containerd?: Pick<ContentStore, 'info'>,
  ) {}

  /** Size in bytes of the blob in the first store that has it (containerd last), or undefined. */
  async sizeOf(digest: string): Promise<number | undefined> {
    const d = Digest.parse(digest);
    for (const dir of this.dirs) {
      try {
        const s = await stat(join(dir, 'blobs', d.algorithm, d.hex));
        if (s.isFile()) return s.size;
      } catch {
        // Not in this store.
      }
    }
    try {
      return (await this.containerd?.info(d.toString()))?.size;
    } catch {
      // containerd unreachable: the blob cannot be vouched for, which is what "absent" means here.
      return undefined;
    }
  }
}
