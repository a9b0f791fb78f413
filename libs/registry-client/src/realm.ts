import { URL_MAX_LENGTH } from '@accelerboat/registry-protocol';
import { UpstreamError } from './upstream-errors.js';

/*
 * The token realm comes from the upstream's challenge, so it is untrusted input: a malicious or
 * compromised registry could name a realm it controls to collect the passwords we hold for it,
 * or a service inside our network (SSRF). The rules, in full:
 *
 * 1. A realm must be an absolute http(s) URL without user info, at most 2048 characters.
 * 2. A realm on a loopback, link-local or unspecified address (127/8, ::1, localhost,
 *    169.254/16 with the cloud metadata endpoint, fe80::/10, 0.0.0.0) is refused unless the
 *    registry itself is on that same host name: an upstream may not point us at our own node.
 * 3. A credential (Basic header or password form) is sent to a realm only when
 *    - the realm is https (any host: Docker Hub's realm is auth.docker.io, as docker and
 *      containerd allow), or
 *    - the realm is http on the registry's own host name and the registry itself is configured as
 *      http (an insecure test or LAN registry, where the credential already travels in clear).
 *    An https registry never has its credentials downgraded to an http realm.
 * 4. When a registry has `realmHosts` configured, credentials go only to realms whose host[:port]
 *    is listed, on top of rule 3. Use it to pin a registry's token service.
 * Otherwise the token is fetched anonymously if the caller is anonymous, and refused if not.
 * Token requests never follow redirects (a 307 would re-send the password form elsewhere).
 */

/** Where a registry is reached. */
export interface RegistryEndpoint {
  /** Normalised `host[:port]`. */
  host: string;
  scheme: 'http' | 'https';
  /** Optional pin: the only realm hosts (`host[:port]`) allowed to receive credentials. */
  realmHosts?: readonly string[];
}

/** `<scheme>://<host>` of a registry. */
export function registryBaseUrl(registry: RegistryEndpoint): URL {
  return new URL(`${registry.scheme}://${registry.host}`);
}

/** Parses and checks a realm against rules 1 and 2; throws UPSTREAM_ERROR when unusable. */
export function checkRealm(realm: string | undefined, registry: RegistryEndpoint): URL {
  const refuse = (why: string): never => {
    throw new UpstreamError('UPSTREAM_ERROR', `registry ${registry.host} named an unusable token realm: ${why}`);
  };
  if (!realm) return refuse('no realm');
  if (realm.length > URL_MAX_LENGTH) return refuse('too long');
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    return refuse('not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return refuse('not http or https');
  if (url.username || url.password) return refuse('carries user info');
  const own = registryBaseUrl(registry).hostname;
  if (url.hostname !== own && isLocalHost(url.hostname)) return refuse(`host ${url.hostname} is local to this node`);
  return url;
}

/** Rules 3 and 4: may a credential for this registry be sent to this (checked) realm? */
export function mayReceiveCredentials(realm: URL, registry: RegistryEndpoint): boolean {
  if (registry.realmHosts && !registry.realmHosts.map((h) => h.toLowerCase()).includes(realm.host)) return false;
  if (realm.protocol === 'https:') return true;
  return registry.scheme === 'http' && realm.hostname === registryBaseUrl(registry).hostname;
}

/** Loopback, link-local, unspecified and cloud-metadata host names, as WHATWG URL spells them. */
export function isLocalHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost') || h === 'metadata.google.internal') return true;
  if (/^127\./.test(h) || /^169\.254\./.test(h) || h === '0.0.0.0') return true;
  // IPv6 (bracketed): loopback, unspecified, link-local, and IPv4-mapped forms of anything.
  return h === '[::1]' || h === '[::]' || /^\[fe[89ab][0-9a-f]:/.test(h) || h.startsWith('[::ffff:');
}
