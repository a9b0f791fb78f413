import { basicCredential, credentialFromAuthorization, fingerprint, type Credential, type UpstreamClient } from '@accelerboat/registry-client';

import type { ControlPlane } from './control-plane.js';
import { passwordOf, type RegistryMapping } from './registry-mapping.js';
import { isUnavailable } from './token-endpoint.js';

export interface AccessCheckerOptions {
  /** How long a positive answer is reused on this node. */
  allowTtlMs: number;
  /** How long a negative answer is reused. */
  denyTtlMs: number;
  /**
   * While the upstream cannot be asked, the last positive decision for a credential and
   * repository keeps holding for this long (then the pull fails like a direct one would).
   */
  graceMs: number;
  now?: () => number;
}

interface Decision {
  allowed: boolean;
  at: number;
}

/**
 * Decides whether a client may be served a blob this node (or the cluster) holds: holding the
 * bytes says nothing about who may read them. The coordinator converges the upstream check; this
 * node keeps answers briefly, keyed by a fingerprint of the credential (never the credential).
 */
export class AccessChecker {
  private readonly decisions = new Map<string, Decision>();
  private readonly now: () => number;

  constructor(
    private readonly control: ControlPlane,
    private readonly upstream: UpstreamClient,
    private readonly opts: AccessCheckerOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  async allowed(registry: RegistryMapping, repository: string, digest: string | undefined, authorization: string | undefined): Promise<boolean> {
    const credential = credentialFromAuthorization(authorization);
    const key = `${registry.originalHost}|${repository}|${digest ?? '*'}|${fingerprint(credential)}`;
    const prior = this.decisions.get(key);
    const age = prior ? this.now() - prior.at : Infinity;
    if (prior && age < (prior.allowed ? this.opts.allowTtlMs : this.opts.denyTtlMs)) return prior.allowed;
    let allowed: boolean;
    try {
      allowed = await this.ask(registry, repository, digest, authorization, credential);
    } catch (e) {
      if (prior?.allowed && age < this.opts.graceMs) return true;
      throw e;
    }
    this.remember(key, allowed);
    return allowed;
  }

  /** Whether the credential may pull from the repository at all (for content addressed by digest, like cached manifests). */
  async allowedRepository(registry: RegistryMapping, repository: string, authorization: string | undefined): Promise<boolean> {
    return this.allowed(registry, repository, undefined, authorization);
  }

  private async ask(registry: RegistryMapping, repository: string, digest: string | undefined, authorization: string | undefined, credential: Credential): Promise<boolean> {
    try {
      const res = await this.control.checkAccess({ registry: registry.originalHost, repository, ...(digest ? { digest } : {}), ...(authorization ? { authorization } : {}) });
      return res.allowed;
    } catch (e) {
      if (!isUnavailable(e)) throw e;
    }
    if (await this.upstream.checkPullAccess(registry.originalHost, repository, credential, digest ? { blob: digest } : undefined)) return true;
    // An anonymous client on a registry with configured accounts pulls as those accounts.
    if (credential.kind !== 'anonymous') return false;
    for (const user of registry.users) {
      if (await this.upstream.checkPullAccess(registry.originalHost, repository, basicCredential(user.username, passwordOf(user)), digest ? { blob: digest } : undefined)) return true;
    }
    return false;
  }

  private remember(key: string, allowed: boolean): void {
    if (this.decisions.size > 50_000) this.decisions.clear();
    this.decisions.set(key, { allowed, at: this.now() });
  }
}

