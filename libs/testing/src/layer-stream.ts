import { createCipheriv, createHash, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

const CHUNK = 1 << 20;
/** Fixed tar mtime (2024-01-01T00:00:00Z) so that a seed always gives the same digests. */
export const FIXED_MTIME = 1704067200;

/**
 * Deterministic pseudo-random bytes: the AES-256-CTR keystream for a key derived from `seed`.
 * Fast (hardware AES), reproducible, and produced in chunks so nothing large is held in memory.
 */
export async function* randomChunks(seed: string, size: number): AsyncGenerator<Buffer> {
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(CHUNK);
  for (let left = size; left > 0; left -= CHUNK) {
    yield cipher.update(left >= CHUNK ? zeros : zeros.subarray(0, left));
  }
}

/** A ustar header for one regular file. */
export function tarHeader(name: string, size: number, mtime = FIXED_MTIME): Buffer {
  const h = Buffer.alloc(512);
  const oct = (n: number, len: number) => n.toString(8).padStart(len - 1, '0') + '\0';
  h.write(name, 0, 100, 'ascii');
  h.write(oct(0o644, 8), 100, 'ascii');
  h.write(oct(0, 8), 108, 'ascii'); // uid
  h.write(oct(0, 8), 116, 'ascii'); // gid
  h.write(oct(size, 12), 124, 'ascii');
  h.write(oct(mtime, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii'); // checksum is computed with this field as spaces
  h.write('0', 156, 'ascii'); // regular file
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}

/** A tar archive holding one file of `size` pseudo-random bytes, as a stream of chunks. */
export async function* tarOneFile(name: string, size: number, seed: string): AsyncGenerator<Buffer> {
  yield tarHeader(name, size);
  yield* randomChunks(seed, size);
  const pad = (512 - (size % 512)) % 512;
  yield Buffer.alloc(pad + 1024); // padding to a block, then the two zero end-of-archive blocks
}

function hashing(hash: Hash, counter: { n: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      counter.n += chunk.length;
      cb(null, chunk);
    },
  });
}

/** A layer blob written to a layout's blob store. */
export interface WrittenLayer {
  /** sha256 of the gzip blob. */
  digest: string;
  size: number;
  /** sha256 of the uncompressed tar (the config's rootfs.diff_ids entry). */
  diffId: string;
}

/**
 * Streams a tar+gzip layer into `blobsDir` (the `blobs/sha256` folder), hashing the tar and the
 * gzip output on the way. Memory use is a few MiB whatever the size.
 */
export async function writeLayer(blobsDir: string, fileName: string, size: number, seed: string, gzipLevel: number): Promise<WrittenLayer> {
  const tarHash = createHash('sha256');
  const gzHash = createHash('sha256');
  const tarCount = { n: 0 };
  const gzCount = { n: 0 };
  const tmp = join(blobsDir, `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
  await pipeline(
    Readable.from(tarOneFile(fileName, size, seed)),
    hashing(tarHash, tarCount),
    createGzip({ level: gzipLevel }),
    hashing(gzHash, gzCount),
    createWriteStream(tmp),
  );
  const hex = gzHash.digest('hex');
  await rename(tmp, join(blobsDir, hex));
  return { digest: `sha256:${hex}`, size: gzCount.n, diffId: `sha256:${tarHash.digest('hex')}` };
}
