import { createHmac, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { AUTHORIZATION_MAX_LENGTH, REDACTED, ProtocolError, headerValueProblem } from '@accelerboat/registry-protocol';

/*
 * Who a request acts as. Credentials are secrets: the factories below give every credential a
 * `toJSON` and an `inspect` that redact, and make the secret field non-enumerable, so that
 * JSON.stringify, console.log, util.format, pino and `{ ...credential }` never reveal it.
 */

/** No credential: the registry's anonymous access. */
export interface AnonymousCredential {
  readonly kind: 'anonymous';
}

/** A username and password: sent as HTTP Basic, or exchanged for a token at the realm. */
export interface BasicCredential {
  readonly kind: 'basic';
  readonly username: string;
  /** SECRET. Non-enumerable on credentials made by {@link basicCredential}. */
  readonly password: string;
}

/** A bearer token the client already holds (issued by the registry's realm). */
export interface BearerCredential {
  readonly kind: 'bearer';
  /** SECRET. Non-enumerable on credentials made by {@link bearerCredential}. */
  readonly token: string;
}

/** A credential to act as upstream. Build one with the factories, never as an object literal. */
export type Credential = AnonymousCredential | BasicCredential | BearerCredential;

/** What `toJSON` and `inspect` show instead of a credential. */
export type RedactedCredential = { kind: Credential['kind']; username?: string; secret?: typeof REDACTED };

function protect<T extends Credential>(visible: Omit<T, 'password' | 'token'>, secret?: { name: 'password' | 'token'; value: string }): T {
  const redacted: RedactedCredential = { ...visible, ...(secret ? { secret: REDACTED } : {}) };
  const c = { ...visible } as T;
  if (secret) Object.defineProperty(c, secret.name, { value: secret.value, enumerable: false });
  Object.defineProperty(c, 'toJSON', { value: () => redacted, enumerable: false });
  Object.defineProperty(c, inspect.custom, { value: () => `Credential ${inspect(redacted)}`, enumerable: false });
  return Object.freeze(c);
}

/** The anonymous credential (a singleton; its fingerprint is `anonymous`). */
export const ANONYMOUS: AnonymousCredential = protect<AnonymousCredential>({ kind: 'anonymous' });

/** A username/password credential whose password never shows in logs. */
export function basicCredential(username: string, password: string): BasicCredential {
  return protect<BasicCredential>({ kind: 'basic', username }, { name: 'password', value: password });
}

/** A bearer-token credential whose token never shows in logs. */
export function bearerCredential(token: string): BearerCredential {
  return protect<BearerCredential>({ kind: 'bearer' }, { name: 'token', value: token });
}

/**
 * The credential in a client's `Authorization` header, as the mirror received it: none (or empty)
 * is anonymous, `Basic <base64 user:pass>` is basic, `Bearer <token>` is bearer (schemes are
 * case-insensitive). Anything else throws INVALID_ARGUMENT, whose message never quotes the value.
 */
export function credentialFromAuthorization(header: string | undefined): Credential {
  if (header === undefined || header.trim() === '') return ANONYMOUS;
  const problem = headerValueProblem(header, AUTHORIZATION_MAX_LENGTH);
  if (problem) throw invalid(problem);
  const m = /^\s*([A-Za-z]+) +(\S+)\s*$/.exec(header);
  if (!m) throw invalid('must be "<scheme> <credentials>"');
  const scheme = m[1]!.toLowerCase();
  const value = m[2]!;
  if (scheme === 'bearer') return bearerCredential(value);
  if (scheme !== 'basic') throw invalid('must use the Basic or Bearer scheme');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) throw invalid('Basic credentials must be base64');
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw invalid('Basic credentials must be base64 of "username:password"');
  return basicCredential(decoded.slice(0, colon), decoded.slice(colon + 1));
}

function invalid(problem: string): ProtocolError {
  return new ProtocolError('INVALID_ARGUMENT', `authorization header ${problem}`);
}

/** The `Authorization` header value that presents this credential directly, if it has one. */
export function authorizationHeader(credential: Credential): string | undefined {
  if (credential.kind === 'basic') return `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;
  if (credential.kind === 'bearer') return `Bearer ${credential.token}`;
  return undefined;
}

/**
 * Makes fingerprints: HMAC-SHA256 over an unambiguous encoding of the credential, hex. Without
 * the key a fingerprint cannot be reversed or brute-forced offline, so it is safe as a cache-key
 * component (Redis keys, metrics exemplars, logs). Give several processes the same key (a cluster
 * secret) only when they must share fingerprint-keyed state.
 */
export class Fingerprinter {
  private readonly memo = new WeakMap<Credential, string>();

  constructor(private readonly key: Buffer = randomBytes(32)) {}

  /** `anonymous` for the anonymous credential, else 64 hex characters. */
  fingerprint(credential: Credential): string {
    if (credential.kind === 'anonymous') return 'anonymous';
    const hit = this.memo.get(credential);
    if (hit) return hit;
    // JSON of an array is unambiguous: no ("a:b","c") / ("a","b:c") collisions.
    const parts = credential.kind === 'basic' ? ['basic', credential.username, credential.password] : ['bearer', credential.token];
    const fp = createHmac('sha256', this.key).update(JSON.stringify(parts)).digest('hex');
    if (Object.isFrozen(credential)) this.memo.set(credential, fp);
    return fp;
  }
}

const processFingerprinter = new Fingerprinter();

/** The credential's fingerprint under this process's random key (see {@link Fingerprinter}). */
export function fingerprint(credential: Credential): string {
  return processFingerprinter.fingerprint(credential);
}
