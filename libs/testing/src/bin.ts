import { existsSync } from 'node:fs';

/**
 * Resolves a server binary: the Debian packages put some in /usr/sbin, which is not on every
 * user's PATH, so known absolute paths win and the bare name (PATH lookup) is the fallback.
 */
export function findBinary(name: string, ...candidates: string[]): string {
  return candidates.find((c) => existsSync(c)) ?? name;
}
