import { mkdtempSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onProcessExit } from './process.js';

// Directories not removed yet; the exit hook removes them so a crashed test leaves no files.
const liveDirs = new Set<string>();
let hooked = false;

function installDirHook(): void {
  if (hooked) return;
  hooked = true;
  onProcessExit(() => {
    if (!process.env.ACCELERBOAT_KEEP_TEST_DIRS) for (const d of liveDirs) rmSync(d, { recursive: true, force: true });
  });
}

/** A temporary directory that is removed by `remove()` or, at the latest, when this process exits. */
export interface TempDir {
  readonly path: string;
  remove(): Promise<void>;
}

/**
 * Creates a fresh directory under the OS temp dir. Set ACCELERBOAT_KEEP_TEST_DIRS=1 to keep
 * them for debugging.
 */
export function tempDir(prefix = 'accelerboat-'): TempDir {
  installDirHook();
  const path = mkdtempSync(join(tmpdir(), prefix));
  liveDirs.add(path);
  return {
    path,
    async remove() {
      liveDirs.delete(path);
      if (!process.env.ACCELERBOAT_KEEP_TEST_DIRS) await rm(path, { recursive: true, force: true });
    },
  };
}

