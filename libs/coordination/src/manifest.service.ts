import { credentialFromAuthorization, type Credential, type Manifest } from '@accelerboat/registry-client';
import {
  isDigest,
  MANIFEST_MAX_BYTES,
  mediaTypeProblem,
  normalizeRegistryHost,
  OCI_INDEX,
  OCI_MANIFEST,
  ProtocolError,
  type GetManifestResponse,
  type HeadManifestResponse,
  type ManifestQuery,
} from '@accelerboat/registry-protocol';
import type { ConvergedCalls } from './converged-calls.js';
import type { CredentialFingerprints, Upstream } from './upstream.js';

/** How long manifest answers are reused, and what the transport can carry. */
export interface ManifestServiceOptions {
  /** Reuse of answers for tags (MANIFEST_TTL_SECONDS): short, because a tag can be moved. */
  tagTtlMs: number;
  /**
   * Reuse of answers for digest references (MANIFEST_DIGEST_TTL_SECONDS). The content cannot
   * change, but the answer is still per credential, so this is also how often access to it is
   * confirmed upstream again.
   */
  digestTtlMs: number;
  /** The largest message the NATS connection carries now (its `max_payload`); undefined: no limit known. */
  maxPayloadBytes?: () => number | undefined;
}

// Room for the reply's JSON keys, the digest and media type strings, and NATS headers.
const REPLY_OVERHEAD_BYTES = 2048;

/** The request as the upstream will see it: normalised, and with the credential resolved. */
interface UpstreamQuery {
  registry: string;
  repository: string;
  reference: string;
  accept?: readonly string[];
  /** Undefined for callers without credentials: the upstream client then acts for the node. */
  credential?: Credential;
  parts: string[];
  ttlMs: number;
}

/**
 * Manifests for the edge-proxies: identical requests converge into one upstream request across
 * replicas and the answer is reused for a while, keyed by registry, repository, reference, the
 * accept list (in the client's order, as the upstream sees it, since the order can change which
 * manifest a registry picks) and the caller's credential fingerprint, so one client's view is
 * never served to another. A caller without credentials is served as the node (anonymous, then
 * the configured accounts). Upstream errors keep their codes (NOT_FOUND, UNAUTHORIZED, FORBIDDEN,
 * RESOURCE_EXHAUSTED, UPSTREAM_ERROR, UNAVAILABLE) so the edge can answer with the right OCI error.
 */
export class ManifestService {
  constructor(
    private readonly upstream: Pick<Upstream, 'headManifest' | 'getManifest'>,
    private readonly calls: ConvergedCalls,
    private readonly fingerprints: CredentialFingerprints,
    private readonly options: ManifestServiceOptions,
  ) {}

  /** Digest, media type and size of a manifest (what the client's HEAD needs). */
  head(req: ManifestQuery): Promise<HeadManifestResponse> {
    const q = this.query(req);
    return this.calls.run('manifest', ['head', ...q.parts], q.ttlMs, () => this.fetchHead(q));
  }

  /**
   * A manifest with its exact bytes (base64). UNAVAILABLE when the reply would not fit in a NATS
   * message: the edge then fetches it from the upstream itself.
   */
  async get(req: ManifestQuery): Promise<GetManifestResponse> {
    const q = this.query(req);
    const m = await this.calls.run('manifest', ['get', ...q.parts], q.ttlMs, async () => toResponse(await this.fetch(q)));
    // Checked after convergence: the answer stays cached for HEADs and for a connection that
    // allows more, and the upstream is not asked again for each edge that falls back.
    const max = this.options.maxPayloadBytes?.();
    const bytes = m.body.length + REPLY_OVERHEAD_BYTES;
    if (max !== undefined && bytes > max) {
      throw new ProtocolError('UNAVAILABLE', `manifest ${q.repository}@${m.digest} (${m.size} bytes) exceeds the NATS max_payload of ${max} bytes as a reply; fetch it from the upstream`);
    }
    return m;
  }

  private query(req: ManifestQuery): UpstreamQuery {
    const caller = credentialFromAuthorization(req.authorization);
    const credential = caller.kind === 'anonymous' ? undefined : caller;
    const registry = normalizeRegistryHost(req.registry);
    const accept = req.accept.length ? req.accept : undefined;
    const parts = [registry, req.repository, req.reference, JSON.stringify(accept ?? []), credential ? this.fingerprints.fingerprint(credential) : 'node'];
    const ttlMs = isDigest(req.reference) ? this.options.digestTtlMs : this.options.tagTtlMs;
    return { registry, repository: req.repository, reference: req.reference, accept, credential, parts, ttlMs };
  }

  private fetch(q: UpstreamQuery): Promise<Manifest> {
    return this.calls.upstream('manifest', () => this.upstream.getManifest(q.registry, q.repository, q.reference, { accept: q.accept, credential: q.credential }));
  }

  private async fetchHead(q: UpstreamQuery): Promise<HeadManifestResponse> {
    const head = await this.calls.upstream('manifest', () => this.upstream.headManifest(q.registry, q.repository, q.reference, { accept: q.accept, credential: q.credential }));
    if (isDigest(q.reference) && head.digest !== undefined && head.digest !== q.reference) {
      throw new ProtocolError('UPSTREAM_ERROR', `registry answered ${q.repository}@${q.reference} with digest ${head.digest}`);
    }
    const digest = head.digest ?? (isDigest(q.reference) ? q.reference : undefined);
    if (head.size !== undefined && head.size > MANIFEST_MAX_BYTES) {
      throw new ProtocolError('UPSTREAM_ERROR', `manifest ${q.repository}:${q.reference} is larger than ${MANIFEST_MAX_BYTES} bytes`);
    }
    if (digest !== undefined && head.size !== undefined && head.mediaType !== undefined && !mediaTypeProblem(head.mediaType)) {
      return { digest, mediaType: head.mediaType, size: head.size };
    }
    // Registries that leave out Docker-Content-Digest, Content-Length or a usable Content-Type on
    // HEAD: the bytes tell all three.
    const { digest: d, mediaType, size } = toResponse(await this.fetch(q));
    return { digest: d, mediaType, size };
  }
}

function toResponse(m: Manifest): GetManifestResponse {
  return { digest: m.digest, mediaType: mediaTypeOf(m), size: m.size, body: m.bytes.toString('base64') };
}

/** The Content-Type when it is a valid media type, else the one the manifest declares or implies. */
export function mediaTypeOf(m: Pick<Manifest, 'mediaType' | 'bytes'>): string {
  if (m.mediaType !== undefined && !mediaTypeProblem(m.mediaType)) return m.mediaType;
  try {
    const doc = JSON.parse(m.bytes.toString('utf8')) as { mediaType?: unknown; manifests?: unknown };
    if (typeof doc.mediaType === 'string' && !mediaTypeProblem(doc.mediaType)) return doc.mediaType;
    return Array.isArray(doc.manifests) ? OCI_INDEX : OCI_MANIFEST;
  } catch {
    return OCI_MANIFEST;
  }
}
