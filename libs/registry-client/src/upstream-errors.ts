import { ProtocolError, type ErrorCode } from '@accelerboat/registry-protocol';

/*
 * Upstream failures as ProtocolErrors, so they cross NATS with a code the edge-proxy can turn back
 * into the right OCI error for the client. The registry's own OCI error code (MANIFEST_UNKNOWN,
 * DENIED, TOOMANYREQUESTS, ...) is kept beside it: it is what the client should finally see.
 */

/** An error reply from an upstream registry or token realm, or a failure to reach one. */
export class UpstreamError extends ProtocolError {
  override name = 'UpstreamError';

  constructor(
    code: ErrorCode,
    message: string,
    /** HTTP status the upstream answered with; undefined when it could not be reached. */
    readonly upstreamStatus?: number,
    /** The first OCI error code of the reply body (`MANIFEST_UNKNOWN`), when it had one. */
    readonly upstreamCode?: string,
    options?: ErrorOptions,
  ) {
    super(code, message, undefined, options);
  }
}

/** One entry of an OCI error body (distribution spec, "Error Codes"). */
export interface OciErrorEntry {
  code: string;
  message?: string;
}

/**
 * The entries of an OCI error body `{"errors":[{"code","message","detail"}]}`, or [] when the
 * body is something else. Only short printable codes and messages are kept: the body is hostile.
 */
export function parseOciErrors(body: Buffer | string | undefined): OciErrorEntry[] {
  if (!body || body.length === 0 || body.length > 64 * 1024) return [];
  try {
    const parsed: unknown = JSON.parse(body.toString());
    const errors = (parsed as { errors?: unknown } | null)?.errors;
    if (!Array.isArray(errors)) return [];
    return errors.slice(0, 8).flatMap((e: unknown) => {
      const code = (e as { code?: unknown } | null)?.code;
      const message = (e as { message?: unknown } | null)?.message;
      if (typeof code !== 'string' || !/^[A-Z0-9_]{1,64}$/.test(code)) return [];
      return [{ code, ...(typeof message === 'string' ? { message: printable(message) } : {}) }];
    });
  } catch {
    return [];
  }
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
}

/** The protocol code for an upstream HTTP status. */
export function errorCodeForStatus(status: number): ErrorCode {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'RESOURCE_EXHAUSTED';
  if (status === 400 || status === 416) return 'INVALID_ARGUMENT';
  return 'UPSTREAM_ERROR';
}

/**
 * Maps an upstream error reply to an UpstreamError: 401 UNAUTHORIZED, 403 FORBIDDEN, 404
 * NOT_FOUND, 429 RESOURCE_EXHAUSTED, 400/416 INVALID_ARGUMENT, 5xx and anything unexpected
 * UPSTREAM_ERROR, keeping the body's first OCI error code and message.
 */
export function mapUpstreamError(status: number, body?: Buffer | string, what = 'upstream'): UpstreamError {
  const [first] = parseOciErrors(body);
  const detail = first ? `: ${first.code}${first.message ? ` ${first.message}` : ''}` : '';
  return new UpstreamError(errorCodeForStatus(status), `${what} answered HTTP ${status}${detail}`, status, first?.code);
}

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT']);

/**
 * Maps a failure to talk to the upstream at all: timeouts are TIMEOUT, everything else
 * (refused, reset, DNS, TLS) UNAVAILABLE. ProtocolErrors pass through unchanged.
 */
export function mapTransportError(err: unknown, what = 'upstream'): ProtocolError {
  if (err instanceof ProtocolError) return err;
  const e = err as { code?: unknown; name?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const timedOut = e?.name === 'TimeoutError' || (code !== undefined && TIMEOUT_CODES.has(code));
  const reason = code ?? (typeof e?.name === 'string' ? e.name : 'error');
  // No `cause`: got's errors carry the request options, headers (Authorization) and form body
  // (password) included, and a logged cause chain would print them.
  return new UpstreamError(timedOut ? 'TIMEOUT' : 'UNAVAILABLE', `${what} unreachable (${reason})`);
}
