import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DigestAlgorithms, isDigest, type Digest, type DigestAlgorithm } from '@accelerboat/registry-protocol';

/** One committed blob found on disk while rebuilding the index. */
export interface ScannedBlob {
  /** Canonical `algorithm:hex`. */
  digest: string;
  /** Size in bytes. */
  size: number;
  /** Last access time (the file's mtime, which the store bumps on every read), in ms. */
  lastAccessMs: number;
}

// Enough stats in flight to keep the disk queue busy on open without exhausting file descriptors.
const SCAN_CONCURRENCY = 64;

/**
 * Where things live under a store root, OCI image layout style: `blobs/<algorithm>/<hex>` for
 * committed, verified blobs and `tmp/` for writes in progress. tmp/ sits under the same root so that
 * publishing a blob is a same-filesystem rename, which is atomic. Paths are built from a parsed
 * Digest only: the algorithm and hex are validated, so no caller-supplied text reaches the fs.
 */
export class BlobLayout {
  /** Directory of committed blobs. */
  readonly blobsDir: string;
  /** Directory of in-progress writes, emptied on every open. */
  readonly tmpDir: string;

  constructor(
    /** The store root. */
    readonly root: string,
  ) {
    this.blobsDir = join(root, 'blobs');
    this.tmpDir = join(root, 'tmp');
  }

  /** The file of a committed blob. */
  blobPath(digest: Digest): string {
    return join(this.blobsDir, digest.algorithm, digest.hex);
  }

  /** A fresh, unguessable temp file name; never derived from the digest, so retries cannot collide. */
  newTempPath(): string {
    return join(this.tmpDir, randomBytes(16).toString('hex'));
  }

  /**
   * Creates the directories and deletes everything under tmp/: a temp file left by a crash is a
   * partial, unverified body, and resuming it would need the hash state we no longer have.
   */
  async prepare(): Promise<void> {
    await rm(this.tmpDir, { recursive: true, force: true });
    await mkdir(this.tmpDir, { recursive: true });
    await Promise.all(Object.keys(DigestAlgorithms).map((alg) => mkdir(join(this.blobsDir, alg), { recursive: true })));
  }

  /**
   * Lists committed blobs from directory entries and stat() only, without re-hashing (a 100 GB
   * cache would take minutes to hash; `verifyAll()` is the explicit fsck). Files whose name is not
   * a valid hex for their directory's algorithm can never be addressed, so they are deleted;
   * directories and unknown algorithm directories are left alone.
   */
  async scan(): Promise<ScannedBlob[]> {
    const found: ScannedBlob[] = [];
    for (const algorithm of Object.keys(DigestAlgorithms) as DigestAlgorithm[]) {
      const dir = join(this.blobsDir, algorithm);
      const entries = await readdir(dir, { withFileTypes: true });
      const files = entries.filter((e) => e.isFile());
      for (let i = 0; i < files.length; i += SCAN_CONCURRENCY) {
        await Promise.all(files.slice(i, i + SCAN_CONCURRENCY).map(async (e) => {
          const path = join(dir, e.name);
          const digest = `${algorithm}:${e.name}`;
          if (!isDigest(digest)) {
            await rm(path, { force: true });
            return;
          }
          const s = await stat(path).catch(() => undefined);
          if (s?.isFile()) found.push({ digest, size: s.size, lastAccessMs: s.mtimeMs });
        }));
      }
    }
    return found;
  }
}
