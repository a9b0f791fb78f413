import { ErrorCode as NatsErrorCode, NatsError, type MsgHdrs } from 'nats';
import { ProtocolError, errorCodeFromStatus, isErrorCode, type ErrorBody, type FieldProblem } from '@accelerboat/registry-protocol';

/** Header names of the NATS services API error convention (what `nats req` and `nats micro` show). */
export const ServiceErrorHeaders = {
  code: 'Nats-Service-Error-Code',
  description: 'Nats-Service-Error',
} as const;

const encoder = new TextEncoder();
// fatal: invalid UTF-8 is garbage, not something to patch with replacement characters.
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Encodes a payload as plain JSON bytes: the wire format of every request, reply and event. */
export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/**
 * Decodes untrusted payload bytes. Anything that is not UTF-8 JSON becomes INVALID_ARGUMENT,
 * so a bad `nats req` from an operator gets an answer instead of crashing a handler.
 */
export function decodeJson(data: Uint8Array): unknown {
  if (data.length === 0) throw new ProtocolError('INVALID_ARGUMENT', 'payload is empty; expected a JSON object');
  try {
    return JSON.parse(decoder.decode(data)) as unknown;
  } catch {
    throw new ProtocolError('INVALID_ARGUMENT', 'payload is not valid JSON');
  }
}

/** An error reply as the NATS services API sends it: status header, description header, JSON body. */
export interface ErrorReply {
  status: number;
  description: string;
  body: Uint8Array;
}

/**
 * The reply for a failed request. A ProtocolError travels with its code and message; anything
 * else is an INTERNAL error whose details stay in the server's log, so internals and secrets
 * in exception messages never reach a caller.
 */
export function errorReply(err: unknown): ErrorReply {
  const pe = err instanceof ProtocolError ? err : new ProtocolError('INTERNAL', 'internal error');
  return {
    status: pe.status,
    description: headerSafe(`${pe.code}: ${pe.message}`),
    body: encodeJson(pe.toBody()),
  };
}

/**
 * Rebuilds the ProtocolError carried by a reply, or returns undefined for a successful reply.
 * The JSON ErrorBody wins when present (it holds the exact code and the field list); otherwise
 * the numeric header is mapped back, so replies from non-AccelerBoat services still make sense.
 */
export function errorFromReply(headers: MsgHdrs | undefined, data: Uint8Array): ProtocolError | undefined {
  const rawStatus = headers?.get(ServiceErrorHeaders.code) ?? '';
  if (rawStatus === '') return undefined;
  const status = Number.parseInt(rawStatus, 10);
  const description = headers?.get(ServiceErrorHeaders.description) ?? '';
  const body = errorBodyOf(data);
  if (body) return new ProtocolError(body.error.code, body.error.message, body.error.fields);
  const code = Number.isFinite(status) ? errorCodeFromStatus(status) : 'INTERNAL';
  // Our own descriptions read `CODE: message`; keep only the message part.
  const message = description.startsWith(`${code}: `) ? description.slice(code.length + 2) : description || rawStatus;
  return new ProtocolError(code, message);
}

/**
 * Maps a nats.js request failure to the protocol: no reply in time is TIMEOUT, no subscriber
 * at all (or a connection that is closing) is UNAVAILABLE. Callers fall back on both.
 */
export function errorFromNats(err: unknown, subject: string): ProtocolError {
  if (err instanceof ProtocolError) return err;
  if (err instanceof NatsError) {
    switch (err.code) {
      case NatsErrorCode.Timeout:
        return new ProtocolError('TIMEOUT', `no reply on ${subject} in time`, undefined, { cause: err });
      case NatsErrorCode.NoResponders:
        return new ProtocolError('UNAVAILABLE', `no responders on ${subject}`, undefined, { cause: err });
      case NatsErrorCode.PermissionsViolation:
      case NatsErrorCode.AuthorizationViolation:
        return new ProtocolError('FORBIDDEN', `not allowed to request ${subject}`, undefined, { cause: err });
      default:
        return new ProtocolError('UNAVAILABLE', `NATS request on ${subject} failed: ${err.code}`, undefined, { cause: err });
    }
  }
  return new ProtocolError('INTERNAL', `request on ${subject} failed`, undefined, { cause: err });
}

function errorBodyOf(data: Uint8Array): ErrorBody | undefined {
  if (data.length === 0) return undefined;
  let json: unknown;
  try {
    json = decodeJson(data);
  } catch {
    return undefined;
  }
  if (!isRecord(json) || !isRecord(json.error)) return undefined;
  const { code, message, fields } = json.error;
  if (!isErrorCode(code) || typeof message !== 'string') return undefined;
  return { error: { code, message, ...(isFieldList(fields) ? { fields } : {}) } };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isFieldList(v: unknown): v is FieldProblem[] {
  return (
    Array.isArray(v) &&
    v.every((f) => isRecord(f) && typeof f.field === 'string' && Array.isArray(f.problems) && f.problems.every((p) => typeof p === 'string'))
  );
}

// Header values cannot hold CR/LF (nats.js throws), and a huge validation report belongs in the
// body, not in a header.
function headerSafe(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ').trim();
  return flat.length > 1024 ? `${flat.slice(0, 1021)}...` : flat;
}
