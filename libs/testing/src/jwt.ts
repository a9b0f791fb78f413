import { execFile } from 'node:child_process';
import { createHash, createPrivateKey, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** An RSA key and the self-signed certificate the registry trusts (`auth.token.rootcertbundle`). */
export interface SigningCert {
  keyPath: string;
  certPath: string;
  key: KeyObject;
  cert: X509Certificate;
}

/** Creates an RSA-2048 key and a self-signed certificate in `dir` with openssl. */
export async function createSigningCert(dir: string, cn = 'accelerboat-test-issuer'): Promise<SigningCert> {
  const keyPath = join(dir, 'token-key.pem');
  const certPath = join(dir, 'token-cert.pem');
  await run('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath,
    '-days', '3650', '-subj', `/CN=${cn}`,
  ]);
  return {
    keyPath,
    certPath,
    key: createPrivateKey(await readFile(keyPath)),
    cert: new X509Certificate(await readFile(certPath)),
  };
}

/**
 * The libtrust key ID that distribution matches a JWT `kid` against: base32 of the first 240
 * bits of sha256(DER SubjectPublicKeyInfo), in groups of four joined by ':'.
 */
export function libtrustKeyId(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const hash = createHash('sha256').update(der).digest().subarray(0, 30);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const b of hash) bits += b.toString(2).padStart(8, '0');
  let out = '';
  for (let i = 0; i < bits.length; i += 5) out += alphabet[parseInt(bits.slice(i, i + 5), 2)];
  return out.match(/.{4}/g)!.join(':');
}

/** One entry of the Docker token `access` claim. */
export interface AccessEntry {
  type: string;
  name: string;
  actions: string[];
}

/** Signs claims as an RS256 JWT, naming the key by libtrust `kid` or by embedding the cert (`x5c`). */
export function signJwt(claims: object, cert: SigningCert, mode: 'kid' | 'x5c'): string {
  const header =
    mode === 'x5c'
      ? { typ: 'JWT', alg: 'RS256', x5c: [cert.cert.raw.toString('base64')] }
      : { typ: 'JWT', alg: 'RS256', kid: libtrustKeyId(cert.cert.publicKey) };
  const b64u = (x: string) => Buffer.from(x).toString('base64url');
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}`;
  return `${input}.${sign('RSA-SHA256', Buffer.from(input), cert.key).toString('base64url')}`;
}

/** Decodes (without verifying) a JWT's header and claims; for assertions in tests. */
export function decodeJwt(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [h, c] = token.split('.');
  const dec = (s: string | undefined) => JSON.parse(Buffer.from(s ?? '', 'base64url').toString('utf8'));
  return { header: dec(h), claims: dec(c) };
}

/** Parses scope strings like `repository:team/app:pull,push` (names may contain ':' for ports). */
export function parseScope(scope: string): AccessEntry | undefined {
  const parts = scope.split(':');
  if (parts.length < 3) return undefined;
  return { type: parts[0]!, name: parts.slice(1, -1).join(':'), actions: parts.at(-1)!.split(',').filter(Boolean) };
}
