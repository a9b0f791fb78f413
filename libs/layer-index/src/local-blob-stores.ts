import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Digest } from '@accelerboat/registry-protocol';

/**
 * The node's own content-addressed blob stores (edge cache, seeder store), laid out like an OCI
 * image layout: `<dir>/blobs/<algorithm>/<hex>`. Files are found by parsed digest only, never by a
 * caller-supplied path, so no request can reach outside these directories.
 */
export class LocalBlobStores {
  constructor(private readonly dirs: string[]) {}

  /** Size in bytes of the blob in the first store that has it, or undefined. */
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
    return undefined;
  }
}
