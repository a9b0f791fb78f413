import { credentialFromAuthorization, type AccessProbe, type Credential } from '@accelerboat/registry-client';
import { normalizeRegistryHost, ProtocolError, type CheckAccessRequest, type CheckAccessResponse, type ErrorCode } from '@accelerboat/registry-protocol';
import { convergenceKey, type ConvergedCalls } from './converged-calls.js';
import type { DecisionMemory } from './decision-memory.js';
import type { ConfiguredAccounts, CredentialFingerprints, Upstream } from './upstream.js';

/** How long access answers live, and the grace of positive ones. */
export interface AccessServiceOptions {
  /** Reuse of an "allowed" answer (ACCESS_ALLOW_TTL_SECONDS). */
  allowTtlMs: number;
  /** Reuse of a "denied" answer, and of a stale one (ACCESS_DENY_TTL_SECONDS): short, so a fix shows soon. */
  denyTtlMs: number;
  /** How long a positive decision may stand in for an upstream that cannot be asked (ACCESS_GRACE_SECONDS). */
  graceMs: number;
  /** The operator's accounts per registry; an anonymous caller may pull what one of them can read. */
  configured?: ConfiguredAccounts;
  /** Told when the grace memory could not be written; the answer is given anyway. */
  onMemoryError?: (error: unknown) => void;
}

// Failures that say "the upstream could not be asked", not "the upstream said no".
const OUTAGES: readonly ErrorCode[] = ['UNAVAILABLE', 'TIMEOUT', 'UPSTREAM_ERROR'];

/**
 * May this credential pull this content? Asked by an edge-proxy before it serves cluster-held
 * bytes. Converged across replicas and cached per registry, repository, digest and credential
 * fingerprint: allowed answers for allowTtlMs, denied ones for denyTtlMs. With a digest, the
 * upstream is asked for that blob through that repository (`HEAD blobs/<digest>`), since a
 * readable repository need not contain it. An anonymous caller on a registry with configured
 * accounts is allowed when one of those accounts can read it, as the edge pulls with them.
 *
 * Grace: every positive decision is also remembered (in Redis, across replicas) for graceMs.
 * While the upstream cannot be asked (UNAVAILABLE, TIMEOUT, UPSTREAM_ERROR) that decision holds
 * and the answer is `{ allowed: true, stale: true }`, so a registry outage does not stop pulls of
 * content the same client was allowed to read minutes ago. Without such a decision the error
 * propagates; a "denied" from the upstream is never overridden, and it ends the grace.
 */
export class AccessService {
  constructor(
    private readonly upstream: Pick<Upstream, 'checkPullAccess'>,
    private readonly calls: ConvergedCalls,
    private readonly fingerprints: CredentialFingerprints,
    private readonly memory: DecisionMemory,
    private readonly options: AccessServiceOptions,
  ) {}

  /** The access decision for the request's credential (absent: anonymous). */
  check(req: CheckAccessRequest): Promise<CheckAccessResponse> {
    const credential = credentialFromAuthorization(req.authorization);
    const registry = normalizeRegistryHost(req.registry);
    const parts = [registry, req.repository, req.digest ?? '', this.fingerprints.fingerprint(credential)];
    const probe: AccessProbe | undefined = req.digest ? { blob: req.digest } : undefined;
    const { allowTtlMs, denyTtlMs } = this.options;
    return this.calls.run<CheckAccessResponse>(
      'access',
      parts,
      (d) => (d.allowed && !d.stale ? allowTtlMs : denyTtlMs),
      () => this.decide(convergenceKey('access', parts), registry, req.repository, credential, probe),
    );
  }

  private async decide(memoryKey: string, registry: string, repository: string, credential: Credential, probe?: AccessProbe): Promise<CheckAccessResponse> {
    let allowed: boolean;
    try {
      allowed = await this.ask(registry, repository, credential, probe);
    } catch (e) {
      if (!(ProtocolError.is(e) && OUTAGES.includes(e.code))) throw e;
      // A memory that cannot be read grants nothing: the upstream's own error goes back.
      if (await this.memory.recall(memoryKey).catch(() => false)) return { allowed: true, stale: true };
      throw e;
    }
    // A denial also ends the grace of an earlier approval: a revoked credential must not regain
    // access through the next outage.
    const write = allowed ? this.memory.remember(memoryKey, this.options.graceMs) : this.memory.forget(memoryKey);
    await write.catch((e: unknown) => this.options.onMemoryError?.(e));
    return { allowed };
  }

  private async ask(registry: string, repository: string, credential: Credential, probe?: AccessProbe): Promise<boolean> {
    if (await this.probe(registry, repository, credential, probe)) return true;
    // Only a caller without credentials pulls as the configured accounts; one with its own
    // credential is judged as itself, so a wrong password is never papered over.
    if (credential.kind !== 'anonymous') return false;
    for (const account of this.options.configured?.(registry) ?? []) {
      if (await this.probe(registry, repository, account, probe)) return true;
    }
    return false;
  }

  private probe(registry: string, repository: string, credential: Credential, probe?: AccessProbe): Promise<boolean> {
    return this.calls.upstream('access', () => this.upstream.checkPullAccess(registry, repository, credential, probe));
  }
}
