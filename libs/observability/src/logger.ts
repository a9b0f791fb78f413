import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Header and field names whose values are credentials. Structured logs pass through this
 * redaction list, so a request logged with its headers never carries a token or password.
 */
export const REDACTED_PATHS = [
  'authorization',
  '*.authorization',
  '*.*.authorization',
  'password',
  '*.password',
  'token',
  '*.token',
  'access_token',
  '*.access_token',
  'secret',
  '*.secret',
  'headers.cookie',
  '*.headers.cookie',
];

/** The process logger: JSON lines on stdout, one `service` field, secrets redacted. */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  });
}
