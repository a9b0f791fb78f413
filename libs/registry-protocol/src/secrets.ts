/**
 * Message fields that hold credentials: a client's `Authorization` header value or a registry
 * token. They must never be logged, put in metrics labels, error messages or events. Every DTO
 * keeps them at the top level, so a shallow redaction is enough.
 */
export const SECRET_FIELDS: readonly string[] = ['authorization', 'token'];

/** What a redacted secret is replaced with. */
export const REDACTED = '[redacted]';

/**
 * A shallow copy of a message that is safe to log: every secret field that is present is
 * replaced by REDACTED. Anything that is not a plain object is returned as it is.
 */
export function redactSecrets<T>(message: T): T {
  if (message === null || typeof message !== 'object' || Array.isArray(message)) return message;
  const copy: Record<string, unknown> = { ...(message as Record<string, unknown>) };
  for (const field of SECRET_FIELDS) {
    if (Object.hasOwn(copy, field) && copy[field] !== undefined) copy[field] = REDACTED;
  }
  return copy as T;
}
