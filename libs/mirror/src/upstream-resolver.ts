import { isRegistryHost, normalizeRegistryHost } from '@accelerboat/registry-protocol';
import { OciError } from './oci-error.js';
import { RegistryMapping } from './registry-mapping.js';

/**
 * Decides which upstream registry a request means: containerd's `?ns=<registry>` (mirror mode),
 * else the Host the client dialled (custom-domain mode), else the default registry. Registries
 * that are not configured are refused unless the operator allows any, so the mirror cannot be
 * used to make requests to arbitrary hosts from inside the cluster.
 */
export class UpstreamResolver {
  private readonly byOriginal = new Map<string, RegistryMapping>();
  private readonly byProxyHost = new Map<string, RegistryMapping>();

  constructor(
    mappings: RegistryMapping[],
    private readonly options: { defaultRegistry?: string; allowAny: boolean },
  ) {
    for (const m of mappings) {
      this.byOriginal.set(m.originalHost, m);
      if (m.proxyHost) this.byProxyHost.set(stripPort(m.proxyHost.toLowerCase()), m);
    }
  }

  resolve(req: { ns?: string | string[]; host?: string }): RegistryMapping {
    const ns = Array.isArray(req.ns) ? req.ns[0] : req.ns;
    if (ns !== undefined) return this.byName(ns);
    const host = req.host ? stripPort(req.host.toLowerCase()) : undefined;
    const custom = host ? this.byProxyHost.get(host) : undefined;
    if (custom) return custom;
    if (this.options.defaultRegistry) return this.byName(this.options.defaultRegistry);
    throw new OciError('NAME_UNKNOWN', 'no upstream registry given (containerd sends ?ns=<registry>)', 404);
  }

  /** Every configured mapping, for TLS certificates and status pages. */
  mappings(): RegistryMapping[] {
    return [...this.byOriginal.values()];
  }

  private byName(name: string): RegistryMapping {
    if (!isRegistryHost(name)) throw new OciError('NAME_INVALID', 'ns is not a registry host name');
    const host = normalizeRegistryHost(name);
    const known = this.byOriginal.get(host);
    if (known) return known;
    if (!this.options.allowAny) throw new OciError('DENIED', `registry ${host} is not configured on this mirror`, 403);
    return Object.assign(new RegistryMapping(), { originalHost: host, scheme: 'https', users: [] });
  }
}

function stripPort(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const i = host.lastIndexOf(':');
  return i > 0 ? host.slice(0, i) : host;
}
