import { credentialFromAuthorization } from '@accelerboat/registry-client';
import { normalizeRegistryHost, type GetTokenRequest, type GetTokenResponse } from '@accelerboat/registry-protocol';
import { systemClock, type Clock } from './clock.js';
import type { ConvergedCalls } from './converged-calls.js';
import type { CredentialFingerprints, Upstream } from './upstream.js';

/** A token as replicas share it: with its absolute expiry, so a later reader knows what is left. */
interface SharedToken {
  /** SECRET: the bearer token. It sits in the shared store for its life, as in any token cache. */
  token: string;
  /** When the registry's lifetime (less registry-client's own margin) ends, ms since the epoch. */
  expiresAt: number;
}

/** Longest part of a token's life during which it is no longer handed out from the shared store. */
export const TOKEN_SHARE_MARGIN_MS = 10_000;

/**
 * Bearer tokens for clients that the edge-proxy sent to its own token endpoint. Identical
 * requests converge into one realm call across replicas, keyed by registry, service, scopes and
 * the caller's credential fingerprint, and the token is reused for its lifetime minus a margin
 * (so every client still gets a usable token).
 *
 * The token always comes from the realm the registry itself names in its challenge, never from
 * the request's `realm`, so a caller cannot make the coordinator send credentials elsewhere. A
 * caller without credentials gets an anonymous token: configured accounts are never exchanged
 * for a token handed to someone else (the edge pulls with them on the client's behalf instead).
 */
export class TokenService {
  private readonly clock: Pick<Clock, 'now'>;

  constructor(
    private readonly upstream: Pick<Upstream, 'token'>,
    private readonly calls: ConvergedCalls,
    private readonly fingerprints: CredentialFingerprints,
    options: { clock?: Pick<Clock, 'now'> } = {},
  ) {
    this.clock = options.clock ?? systemClock;
  }

  /** A token for the request's scopes; UNAUTHORIZED when the realm refuses the credential. */
  async get(req: GetTokenRequest): Promise<GetTokenResponse> {
    const credential = credentialFromAuthorization(req.authorization);
    const registry = normalizeRegistryHost(req.registry);
    // Scope order and repeats do not change what a token grants, so they do not split the cache.
    const scopes = [...new Set(req.scopes)].sort();
    const parts = [registry, req.service ?? '', JSON.stringify(scopes), this.fingerprints.fingerprint(credential)];
    const shared = await this.calls.run<SharedToken>(
      'token',
      parts,
      (t) => t.expiresAt - this.clock.now() - shareMargin(t.expiresAt - this.clock.now()),
      async () => {
        const t = await this.calls.upstream('token', () => this.upstream.token(registry, scopes, credential));
        return { token: t.token, expiresAt: this.clock.now() + t.expiresIn * 1000 };
      },
    );
    // Relative to now, so a token read late from the store does not claim its original lifetime.
    return { token: shared.token, expiresIn: Math.max(0, Math.floor((shared.expiresAt - this.clock.now()) / 1000)) };
  }
}

/** A tenth of what is left, at most TOKEN_SHARE_MARGIN_MS. */
function shareMargin(leftMs: number): number {
  return Math.min(TOKEN_SHARE_MARGIN_MS, Math.max(0, leftMs) / 10);
}
