import { createHash, timingSafeEqual } from 'node:crypto';

/** The header peers present on the data plane. Its value is the cluster secret. */
export const CLUSTER_SECRET_HEADER = 'x-accelerboat-cluster-secret';

/**
 * Compares a presented secret with the configured one in constant time. Both are hashed first so
 * the comparison does not leak the secret's length either.
 */
export function secretMatches(presented: string | string[] | undefined, secret: string): boolean {
  if (typeof presented !== 'string' || presented.length === 0 || presented.length > 4096) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(secret).digest();
  return timingSafeEqual(a, b);
}
