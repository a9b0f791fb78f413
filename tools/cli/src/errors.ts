import { ProtocolError, type ErrorCode } from '@accelerboat/registry-protocol';

/**
 * An expected failure of a command (bad input, nothing listening, a job that failed): printed
 * as one line without a stack, with a non-zero exit code.
 */
export class CliError extends Error {
  override name = 'CliError';

  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

// What an operator can do about the codes a CLI call meets most.
const HINTS: Partial<Record<ErrorCode, string>> = {
  UNAVAILABLE: 'is the master-coordinator running and connected to this NATS?',
  TIMEOUT: 'the service did not answer in time; try a larger --timeout',
  UNAUTHORIZED: 'the registry wants credentials: --user/--password or --authorization',
  FORBIDDEN: 'these credentials may not pull this image',
};

/** One line for stderr: `CODE: message (hint)` for protocol errors, the message for ours. */
export function describeError(e: unknown): string {
  if (e instanceof CliError) return e.message;
  if (e instanceof ProtocolError) {
    const hint = HINTS[e.code];
    return `${e.code}: ${e.message}${hint ? ` (${hint})` : ''}`;
  }
  return e instanceof Error ? e.message : String(e);
}

/** True for failures that are part of normal operation: no stack trace for those. */
export function isExpected(e: unknown): boolean {
  return e instanceof CliError || e instanceof ProtocolError;
}
