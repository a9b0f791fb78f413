import { createHmac } from 'node:crypto';
import { Fingerprinter, type AccessProbe, type Credential, type Manifest, type ManifestHead, type ManifestOptions } from '@accelerboat/registry-client';

/**
 * What the convergence services ask of upstream registries: the part of registry-client's
 * UpstreamClient they call, so unit tests can put a fake behind it. Failures are ProtocolErrors
 * with the codes of registry-client's `mapUpstreamError` and `mapTransportError`.
 */
export interface Upstream {
  /**
   * A bearer token for `scopes`, fetched from the realm the registry itself names in its
   * challenge. UNAUTHORIZED when the realm refuses the credential.
   */
  token(registry: string, scopes: string[], credential: Credential): Promise<{ token: string; expiresIn: number }>;
  /** HEAD of a manifest. `options.credential` undefined: anonymous, then the configured accounts. */
  headManifest(registry: string, repository: string, reference: string, options?: ManifestOptions): Promise<ManifestHead>;
  /** A manifest's exact bytes, verified against its digest; same credential rule as headManifest. */
  getManifest(registry: string, repository: string, reference: string, options?: ManifestOptions): Promise<Manifest>;
  /** Whether `credential` itself (never a configured account) may read the repository or probe. */
  checkPullAccess(registry: string, repository: string, credential: Credential, probe?: AccessProbe): Promise<boolean>;
}

/** The accounts an operator configured for a registry (REGISTRIES_FILE `users`), in order. */
export type ConfiguredAccounts = (registry: string) => readonly Credential[];

/**
 * Turns credentials into cache-key components. Replicas share converged results only when they
 * compute the same fingerprints, so in the app this is a Fingerprinter under a key derived from
 * the cluster secret.
 */
export type CredentialFingerprints = Pick<Fingerprinter, 'fingerprint'>;

/**
 * The Fingerprinter every replica builds alike from the cluster secret. The HMAC key is derived
 * from the secret under a purpose label rather than being the secret itself, so a fingerprint
 * says nothing about the secret that peers present to each other.
 */
export function clusterFingerprinter(clusterSecret: string): Fingerprinter {
  return new Fingerprinter(createHmac('sha256', clusterSecret).update('accelerboat/credential-fingerprint/v1').digest());
}
