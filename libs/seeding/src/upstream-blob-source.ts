import { passwordOf, UpstreamResolver, type RegistryMapping } from '@accelerboat/mirror';
import { basicCredential, credentialFromAuthorization, type RegistrySettings, type UpstreamClient } from '@accelerboat/registry-client';
import type { AssignJobRequest } from '@accelerboat/registry-protocol';
import type { BlobSource, UpstreamBody } from './ports.js';

/**
 * The upstream registries as a BlobSource. A job's `authorization` (the asking client's, or a
 * token the coordinator obtained) is the credential; without one, the client tries anonymous
 * access and then the mapping's configured users. Registries that are not configured are
 * refused unless MIRROR_ANY_REGISTRY allows any, with the same rule the edge-proxy applies
 * (UpstreamResolver), so a seeder cannot be used to reach arbitrary hosts.
 */
export class UpstreamBlobSource implements BlobSource {
  private readonly resolver: UpstreamResolver;

  constructor(
    private readonly client: Pick<UpstreamClient, 'getBlob'>,
    mappings: RegistryMapping[],
    options: { allowAnyRegistry: boolean },
  ) {
    this.resolver = new UpstreamResolver(mappings, { allowAny: options.allowAnyRegistry });
  }

  /** True for configured registries, and for any registry when allowed. */
  serves(registry: string): boolean {
    try {
      this.resolver.resolve({ ns: registry });
      return true;
    } catch {
      return false;
    }
  }

  /** Opens the whole blob, verified against its digest and length while it flows. */
  async open(job: Pick<AssignJobRequest, 'registry' | 'repository' | 'digest' | 'authorization'>): Promise<UpstreamBody> {
    const credential = job.authorization ? credentialFromAuthorization(job.authorization) : undefined;
    // The store hashes while writing; verifying here as well would hash every byte twice.
    const blob = await this.client.getBlob(job.registry, job.repository, job.digest, { verify: false, ...(credential ? { credential } : {}) });
    if (blob.partial) {
      blob.stream.destroy();
      throw new Error('upstream answered a whole-blob request with a partial body');
    }
    const size = blob.totalSize ?? blob.size;
    return { stream: blob.stream, ...(size !== undefined ? { size } : {}) };
  }
}

/**
 * UpstreamClient settings for the configured registries: scheme and users. Passwords are read
 * from their files on every use (the `credentials` getter), so rotated Secrets take effect
 * without a restart.
 */
export function registrySettingsOf(mappings: RegistryMapping[]): Record<string, RegistrySettings> {
  const settings: Record<string, RegistrySettings> = {};
  for (const m of mappings) {
    const users = m.users;
    settings[m.originalHost] = {
      scheme: m.scheme,
      get credentials() {
        return users.map((u) => basicCredential(u.username, passwordOf(u)));
      },
    };
  }
  return settings;
}
