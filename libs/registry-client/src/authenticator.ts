import type { Got } from 'got';
import { ProtocolError, repositoryScope } from '@accelerboat/registry-protocol';
import { authorizationHeader, fingerprint, type Credential } from './credential.js';
import { checkRealm, mayReceiveCredentials, type RegistryEndpoint } from './realm.js';
import { TokenCache, type CachedToken, type Clock, type TokenKey } from './token-cache.js';
import { fetchToken, type TokenForm } from './token-fetch.js';
import { UpstreamError } from './upstream-errors.js';
import { findChallenge, parseWwwAuthenticate } from './www-authenticate.js';

/*
 * Decides which Authorization header a request carries. Nothing is assumed about a registry: the
 * first request to it goes out without credentials, and its 401 challenge says what it wants.
 * What was learnt (Basic, or Bearer with its realm and service) is remembered for a while, so
 * later requests carry a cached or freshly fetched token at once instead of paying a 401 first.
 */

/** The header an attempt sends, and the token cache entry it came from. */
export interface Authorization {
  header?: string;
  /** The token key, when the header is a bearer token from the cache or the realm. */
  key?: TokenKey;
  /** True when the token was fetched during this attempt (so fetching again is pointless). */
  fresh?: boolean;
}

/** A registry plus the per-registry settings auth needs. */
export interface AuthTarget extends RegistryEndpoint {
  tokenForm?: TokenForm;
}

type Learnt = { scheme: 'basic'; at: number } | { scheme: 'bearer'; realm: string; service: string; at: number };

/** How long a learnt challenge is trusted before the registry is asked again. */
export const CHALLENGE_MEMORY_MS = 10 * 60_000;
const MAX_REMEMBERED = 1024;
const MAX_SCOPES = 16;

export class Authenticator {
  private readonly learnt = new Map<string, Learnt>();
  private readonly inflight = new Map<string, Promise<CachedToken>>();

  constructor(
    private readonly http: Got,
    private readonly tokens: TokenCache,
    private readonly clock: Clock,
  ) {}

  /** The header for an attempt's first request. */
  async initial(target: AuthTarget, repository: string, credential: Credential): Promise<Authorization> {
    if (credential.kind === 'bearer') return { header: authorizationHeader(credential) };
    const learnt = this.recall(target.host);
    if (!learnt) return {};
    if (learnt.scheme === 'basic') return { header: authorizationHeader(credential) };
    const key = this.key(target.host, learnt.service, [repositoryScope(repository)], credential);
    const hit = this.tokens.get(key);
    if (hit) return { header: `Bearer ${hit.token}`, key };
    return this.fetch(target, learnt.realm, key, credential);
  }

  /**
   * The header for the one retry after a 401 carrying `wwwAuthenticate`, or undefined when there
   * is nothing new to send (the caller then returns the 401).
   */
  async answer(target: AuthTarget, repository: string, credential: Credential, wwwAuthenticate: string | string[] | undefined, previous: Authorization): Promise<Authorization | undefined> {
    const challenges = parseWwwAuthenticate(wwwAuthenticate);
    const bearer = findChallenge(challenges, 'bearer');
    if (bearer) {
      const realm = bearer.params.realm ?? '';
      const service = bearer.params.service ?? '';
      this.remember(target.host, { scheme: 'bearer', realm, service, at: this.clock() });
      // A client's own token was refused: we hold nothing else that could stand in for it.
      if (credential.kind === 'bearer') return undefined;
      const key = this.key(target.host, service, challengeScopes(bearer.params.scope, repository), credential);
      if (previous.fresh && previous.key && TokenCache.key(previous.key) === TokenCache.key(key)) return undefined;
      this.tokens.delete(key);
      const next = await this.fetch(target, realm, key, credential);
      return next.header ? next : undefined;
    }
    if (findChallenge(challenges, 'basic')) {
      this.remember(target.host, { scheme: 'basic', at: this.clock() });
      const header = authorizationHeader(credential);
      return header && header !== previous.header ? { header } : undefined;
    }
    return undefined;
  }

  /**
   * A token for explicit scopes, for a client of the mirror that asks for one (the mirror rewrote
   * the realm to itself). The realm is the one the registry itself names in its challenge, learnt
   * by asking `/v2/` when not known, never one a caller supplies.
   */
  async token(target: AuthTarget, scopes: string[], credential: Credential): Promise<CachedToken> {
    let learnt = this.recall(target.host);
    if (!learnt) {
      const res = await this.http(`${target.scheme}://${target.host}/v2/`, { method: 'GET', followRedirect: false, throwHttpErrors: false });
      const bearer = findChallenge(parseWwwAuthenticate(res.headers['www-authenticate']), 'bearer');
      if (!bearer) throw new UpstreamError('INVALID_ARGUMENT', `registry ${target.host} does not use token authentication`, res.statusCode);
      learnt = { scheme: 'bearer', realm: bearer.params.realm ?? '', service: bearer.params.service ?? '', at: this.clock() };
      this.remember(target.host, learnt);
    }
    if (learnt.scheme !== 'bearer') throw new UpstreamError('INVALID_ARGUMENT', `registry ${target.host} does not use token authentication`);
    if (credential.kind === 'bearer') throw new UpstreamError('INVALID_ARGUMENT', 'a bearer token cannot be exchanged for another token');
    const key = this.key(target.host, learnt.service, scopes.slice(0, MAX_SCOPES), credential);
    const hit = this.tokens.get(key);
    if (hit) return hit;
    const got = await this.fetch(target, learnt.realm, key, credential);
    const entry = this.tokens.get(key);
    if (!got.header || !entry) throw new UpstreamError('UNAUTHORIZED', `the token realm of ${target.host} refused the credential`, 401);
    return entry;
  }

  /** Fetches and caches a token; a realm that refuses the credential yields no header. */
  private async fetch(target: AuthTarget, realmText: string, key: TokenKey, credential: Credential): Promise<Authorization> {
    if (credential.kind === 'bearer') return {};
    const realm = checkRealm(realmText, target);
    if (credential.kind === 'basic' && !mayReceiveCredentials(realm, target)) {
      throw new UpstreamError(
        'UNAUTHORIZED',
        `refusing to send credentials for ${target.host} to the token realm on ${realm.host}: it must be https, or http on the registry's own host when the registry is configured as http`,
      );
    }
    // Concurrent requests needing the same token share one realm call (same key, same credential).
    const id = TokenCache.key(key);
    let pending = this.inflight.get(id);
    if (!pending) {
      pending = fetchToken(this.http, { realm, service: key.service || undefined, scopes: key.scopes, credential, form: target.tokenForm })
        .then((reply) => this.tokens.set(key, reply.token, reply.expiresIn))
        .finally(() => this.inflight.delete(id));
      this.inflight.set(id, pending);
    }
    try {
      const entry = await pending;
      return { header: `Bearer ${entry.token}`, key, fresh: true };
    } catch (err) {
      if (ProtocolError.is(err, 'UNAUTHORIZED') || ProtocolError.is(err, 'FORBIDDEN')) return { key, fresh: true };
      throw err;
    }
  }

  private key(registry: string, service: string, scopes: string[], credential: Credential): TokenKey {
    return { registry, service, scopes, credential: fingerprint(credential) };
  }

  private recall(host: string): Learnt | undefined {
    const learnt = this.learnt.get(host);
    if (learnt && this.clock() - learnt.at > CHALLENGE_MEMORY_MS) {
      this.learnt.delete(host);
      return undefined;
    }
    return learnt;
  }

  private remember(host: string, learnt: Learnt): void {
    this.learnt.delete(host);
    this.learnt.set(host, learnt);
    // Registry names come from clients (`?ns=`): the map must not grow without bound.
    if (this.learnt.size > MAX_REMEMBERED) this.learnt.delete(this.learnt.keys().next().value!);
  }
}

/**
 * The scopes a challenge asks for (space-separated), or the repository's pull scope when it names
 * none. Only short printable scopes are kept: the header is the upstream's, not ours.
 */
export function challengeScopes(scope: string | undefined, repository: string): string[] {
  const scopes = (scope ?? '')
    .split(' ')
    .filter((s) => s.length > 0 && s.length <= 512 && /^[\x21-\x7e]+$/.test(s))
    .slice(0, MAX_SCOPES);
  return scopes.length ? scopes : [repositoryScope(repository)];
}
