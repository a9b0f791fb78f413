import { headerValueProblem, AUTHORIZATION_MAX_LENGTH } from '@accelerboat/registry-protocol';
import { CliError } from './errors.js';

/** The registry credential options of `layers` and `preload`. */
export interface CredentialOptions {
  user?: string;
  password?: string;
  authorization?: string;
}

/**
 * The `Authorization` value handed to the coordinator (and so to the seeders) for the upstream:
 * `--authorization` as is, or Basic from `--user` and `--password`. Secrets may come from the
 * environment instead (ACCELERBOAT_PASSWORD, ACCELERBOAT_AUTHORIZATION), which keeps them out of
 * the process list and the shell history. Undefined: the cluster's own accounts, or anonymous.
 */
export function authorizationFrom(opts: CredentialOptions, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const raw = opts.authorization ?? env.ACCELERBOAT_AUTHORIZATION;
  const password = opts.password ?? env.ACCELERBOAT_PASSWORD;
  if (raw !== undefined && opts.user !== undefined) throw new CliError('--authorization and --user cannot be combined');
  let value: string | undefined;
  if (raw !== undefined && raw !== '') value = raw;
  else if (opts.user !== undefined) {
    if (password === undefined) throw new CliError('--user needs --password (or ACCELERBOAT_PASSWORD)');
    if (opts.user.includes(':')) throw new CliError('--user must not contain ":"');
    value = `Basic ${Buffer.from(`${opts.user}:${password}`).toString('base64')}`;
  }
  // Never quote the value: it is a credential.
  const problem = value === undefined ? undefined : headerValueProblem(value, AUTHORIZATION_MAX_LENGTH);
  if (problem) throw new CliError(`the credential ${problem}`);
  return value;
}
