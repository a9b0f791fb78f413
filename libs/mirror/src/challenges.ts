import type { Got } from 'got';
import { findChallenge, parseWwwAuthenticate } from '@accelerboat/registry-client';
import { repositoryScope } from '@accelerboat/registry-protocol';
import type { RegistryMapping } from './registry-mapping.js';

type Scheme = 'bearer' | 'basic' | 'none';

/**
 * What kind of authentication each upstream asks for, learnt from its `/v2/` challenge and kept
 * for a while. The mirror needs it to challenge its own clients the same way: Bearer with the
 * realm rewritten to this node (so token requests converge at the coordinator), or Basic.
 */
export class UpstreamChallenges {
  private readonly known = new Map<string, { scheme: Scheme; at: number }>();

  constructor(
    private readonly http: Got,
    private readonly ttlMs = 10 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async schemeOf(registry: RegistryMapping): Promise<Scheme> {
    const hit = this.known.get(registry.originalHost);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.scheme;
    let scheme: Scheme = 'bearer';
    try {
      const res = await this.http(`${registry.scheme}://${registry.originalHost}/v2/`, { method: 'GET', followRedirect: false });
      const challenges = parseWwwAuthenticate(res.headers['www-authenticate']);
      scheme = res.statusCode === 401 ? (findChallenge(challenges, 'bearer') ? 'bearer' : findChallenge(challenges, 'basic') ? 'basic' : 'bearer') : 'none';
    } catch {
      // Unreachable upstream: Bearer is what almost every public registry uses.
    }
    this.known.set(registry.originalHost, { scheme, at: this.now() });
    return scheme;
  }

  /**
   * The `WWW-Authenticate` value to send a client that must authenticate for `repository`. The
   * Bearer realm points at this node's token endpoint for the registry.
   */
  async challengeFor(registry: RegistryMapping, repository: string | undefined, mirrorBase: string): Promise<string> {
    const scheme = await this.schemeOf(registry);
    if (scheme === 'basic') return `Basic realm="${registry.originalHost}"`;
    const realm = `${mirrorBase}/auth/token/${registry.originalHost}`;
    const scope = repository ? `,scope="${repositoryScope(repository, ['pull'])}"` : '';
    return `Bearer realm="${realm}",service="${registry.originalHost}"${scope}`;
  }
}
