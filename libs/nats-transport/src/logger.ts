import { Logger } from '@nestjs/common';

/** The few logging calls this lib makes; Nest's `Logger` and any `LoggerService` fit. */
export interface NatsLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** The logger to use when the caller gave none: Nest's, so lines look like the rest of the app. */
export function defaultLogger(context: string, given?: NatsLogger): NatsLogger {
  return given ?? new Logger(context);
}

/** Renders an unknown thrown value for a log line (with the stack, which stays in the log only). */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}
