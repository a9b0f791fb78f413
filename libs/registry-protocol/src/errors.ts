/**
 * The closed set of error codes that cross a process boundary. Each maps to the numeric
 * `Nats-Service-Error-Code` header (HTTP-like, as the NATS services API expects). Wire-stable:
 * add codes, never rename one.
 */
export const ErrorCodes = {
  INVALID_ARGUMENT: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RESOURCE_EXHAUSTED: 429,
  INTERNAL: 500,
  NOT_IMPLEMENTED: 501,
  UPSTREAM_ERROR: 502,
  UNAVAILABLE: 503,
  TIMEOUT: 504,
} as const;

/** One of the protocol's error codes. */
export type ErrorCode = keyof typeof ErrorCodes;

/** One field of a request that failed validation, named by its path in the JSON payload. */
export interface FieldProblem {
  /** Dotted path of the field, array indexes included (`entries.0.digest`). */
  field: string;
  /** What is wrong with it, one phrase per broken rule. */
  problems: string[];
}

/** The JSON body of an error reply, beside the `Nats-Service-Error*` headers. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; fields?: FieldProblem[] };
}

/** True when the value is one of the error codes (for decoding replies). */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ErrorCodes, value);
}

/** The error code that belongs to a numeric service error code, for replies without a JSON body. */
export function errorCodeFromStatus(status: number): ErrorCode {
  const hit = (Object.entries(ErrorCodes) as [ErrorCode, number][]).find(([, n]) => n === status);
  if (hit) return hit[0];
  return status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT';
}

/**
 * A failure that is part of the protocol: thrown by domain code, carried over NATS as service
 * error headers plus an ErrorBody, and rebuilt on the caller's side with the same code.
 */
export class ProtocolError extends Error {
  override name = 'ProtocolError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: FieldProblem[],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  /** The numeric code for the `Nats-Service-Error-Code` header. */
  get status(): number {
    return ErrorCodes[this.code];
  }

  /** The JSON body of the error reply. */
  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.fields?.length ? { fields: this.fields } : {}) } };
  }

  /** True when `e` is a ProtocolError, with the given code if one is named. */
  static is(e: unknown, code?: ErrorCode): e is ProtocolError {
    return e instanceof ProtocolError && (code === undefined || e.code === code);
  }
}
