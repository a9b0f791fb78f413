import { ProtocolError } from '@accelerboat/registry-protocol';

/** Longest reason sent to the coordinator; operators need the gist, not a stack. */
export const REASON_MAX = 300;

/** A download that received no bytes for too long; the runner gives up on it. */
export class DownloadStalledError extends Error {
  override name = 'DownloadStalledError';

  constructor(
    /** How long no byte arrived, in milliseconds. */
    readonly idleMs: number,
  ) {
    super(`no bytes from the upstream for ${Math.round(idleMs / 1000)} s`);
  }
}

/** The seeder is shutting down; jobs still running are given back to the coordinator. */
export class SeederClosingError extends Error {
  override name = 'SeederClosingError';

  constructor() {
    super('seeder shutting down');
  }
}

/**
 * A short, single-line reason for a failed job that is safe to send and log: protocol errors keep
 * their code, URLs lose their userinfo (an egress proxy URL may carry a password), every given
 * secret (the job's Authorization value and its parts) is masked, control characters go.
 */
export function failureReason(err: unknown, secrets: readonly (string | undefined)[] = []): string {
  let text = err instanceof ProtocolError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message || err.name : 'unknown error';
  text = text.replace(/\/\/[^/\s@]*@/g, '//***@');
  for (const s of secrets) {
    // Very short strings would mask ordinary words; real credentials are longer than this.
    if (s && s.length >= 6) text = text.split(s).join('***');
  }
  text = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return (text || 'unknown error').slice(0, REASON_MAX);
}

/** The secret parts of an Authorization value: the whole value and what follows the scheme. */
export function secretsOf(authorization: string | undefined): string[] {
  if (!authorization) return [];
  const parts = [authorization.trim()];
  const value = /^\s*\S+\s+(\S+)/.exec(authorization)?.[1];
  if (value) {
    parts.push(value);
    // A Basic value is base64 of user:password; the password alone must not leak either.
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) parts.push(decoded.slice(colon + 1));
  }
  return parts;
}
