// Test helpers: real temp directories and deterministic blobs, no mocks.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { FsBlobStore } from './fs-blob-store.js';
import type { BlobStoreOptions } from './blob-store.types.js';

/** A blob body with its sha256 digest. */
export interface BlobFixture {
  body: Buffer;
  digest: string;
}

/** Random bytes of the given size and their digest. */
export function blobFixture(size: number): BlobFixture {
  const body = randomBytes(size);
  return { body, digest: `sha256:${createHash('sha256').update(body).digest('hex')}` };
}

/** A fresh temp directory, removed by the returned cleanup. */
export async function tempRoot(): Promise<{ root: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'blob-store-'));
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** Opens a store with a roomy default budget; tests override the limits they exercise. */
export function openStore(root: string, options: Partial<BlobStoreOptions> = {}): Promise<FsBlobStore> {
  return FsBlobStore.open(root, { maxBytes: 1 << 30, highWatermark: 0.9, lowWatermark: 0.75, ...options });
}

/** Reads a (small, test-sized) stream to the end. */
export async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Entry names of a directory, sorted; empty if it does not exist. */
export async function listDir(path: string): Promise<string[]> {
  return (await readdir(path).catch(() => [] as string[])).sort();
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A clock the test moves by hand, so access times are deterministic. */
export function manualClock(startMs = Date.UTC(2025, 0, 1)): { now: () => number; advance: (ms: number) => void } {
  let t = startMs;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/** Writes and commits a whole blob. */
export async function putBlob(store: FsBlobStore, blob: BlobFixture): Promise<void> {
  const w = store.write(blob.digest, { expectedSize: blob.body.length });
  await w.append(blob.body);
  await w.commit();
}
