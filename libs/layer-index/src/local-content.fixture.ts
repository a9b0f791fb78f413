// Test helpers for the local content announcer: blob files laid out as FsBlobStore leaves them,
// and polling until an asynchronous effect shows.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes a blob file into `<root>/blobs/sha256/<hex>` and returns its digest. */
export function dropBlob(root: string, bytes: Buffer = randomBytes(100)): string {
  const hex = createHash('sha256').update(bytes).digest('hex');
  mkdirSync(join(root, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(root, 'blobs', 'sha256', hex), bytes);
  return `sha256:${hex}`;
}

/** Polls `check` until it holds, or throws naming `what` after `ms`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
