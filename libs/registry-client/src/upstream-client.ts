import type { IncomingHttpHeaders } from 'node:http';
import { pipeline, type Readable } from 'node:stream';
import { Digest, MANIFEST_ACCEPT, parseReference, type ProtocolError } from '@accelerboat/registry-protocol';
import type { Credential } from './credential.js';
import { digestOf, verifyingStream } from './digest-verify.js';
import { blobPath, manifestPath } from './paths.js';
import { readErrorBody } from './transport.js';
import { mapUpstreamError, UpstreamError } from './upstream-errors.js';
import { UpstreamRequester, type ByteRange } from './upstream-request.js';

/** Who asks, and what they accept. */
export interface ManifestOptions {
  /** Accept items; default MANIFEST_ACCEPT (Docker and OCI manifests and indexes). */
  accept?: readonly string[];
  credential?: Credential;
}

/** What a manifest HEAD tells. */
export interface ManifestHead {
  /** `Docker-Content-Digest`, when the registry sent a valid one. */
  digest?: string;
  mediaType?: string;
  size?: number;
}

/** A manifest's exact bytes, verified against its digest. */
export interface Manifest {
  bytes: Buffer;
  /** The digest of `bytes`: the reference when fetched by digest, else sha256. */
  digest: string;
  mediaType?: string;
  size: number;
}

/** A blob body being received. */
export interface BlobStream {
  /** 200 for the whole blob, 206 for a range. */
  status: 200 | 206;
  /** True when the body is the requested range; false when it is the whole blob. */
  partial: boolean;
  /**
   * The body. A whole blob is verified while it flows: the stream fails at its end if the bytes
   * do not match the digest or the announced length. A range cannot be verified here.
   */
  stream: Readable;
  /** Bytes in this response (Content-Length), when announced. */
  size?: number;
  /** Size of the whole blob, when known (Content-Length of a 200, or Content-Range's total). */
  totalSize?: number;
  digest: string;
}

/** Where {@link UpstreamClient.checkPullAccess} looks (see there). */
export type AccessProbe = { blob: string } | { manifest: string };

/**
 * The upstream side of the Registry V2 protocol: manifests and blobs from one registry, with auth
 * read from its challenges (see `UpstreamRequester`). Errors are `UpstreamError`s
 * (ProtocolErrors) with the codes of `mapUpstreamError` and `mapTransportError`.
 */
export class UpstreamClient extends UpstreamRequester {
  /** HEAD of a manifest by tag or digest; throws NOT_FOUND, UNAUTHORIZED, ... on failure. */
  async headManifest(registry: string, repository: string, reference: string, options: ManifestOptions = {}): Promise<ManifestHead> {
    const res = await this.request({ registry, repository, method: 'HEAD', path: manifestPath(repository, reference), accept: options.accept ?? MANIFEST_ACCEPT, credential: options.credential });
    if (res.status !== 200) throw mapUpstreamError(res.status, res.body);
    const digest = headerDigest(res.headers);
    return { ...(digest ? { digest } : {}), ...mediaTypeAndSize(res.headers) };
  }

  /**
   * A manifest's exact bytes. The digest is computed over the bytes and must equal the
   * reference (by digest) and `Docker-Content-Digest` (when sent); a mismatch is UPSTREAM_ERROR.
   * Manifests above MANIFEST_MAX_BYTES are refused.
   */
  async getManifest(registry: string, repository: string, reference: string, options: ManifestOptions = {}): Promise<Manifest> {
    const ref = parseReference(reference);
    const res = await this.request({ registry, repository, method: 'GET', path: manifestPath(repository, reference), accept: options.accept ?? MANIFEST_ACCEPT, credential: options.credential });
    if (res.status !== 200) throw mapUpstreamError(res.status, res.body);
    const expected = [ref.kind === 'digest' ? ref.value : undefined, headerDigest(res.headers, true)].filter((d) => d !== undefined);
    for (const want of expected) {
      const actual = digestOf(res.body, Digest.parse(want).algorithm);
      if (actual !== want) throw new UpstreamError('UPSTREAM_ERROR', `manifest ${repository}:${reference} hashes to ${actual}, not ${want}`, res.status);
    }
    return { bytes: res.body, digest: expected[0] ?? digestOf(res.body), mediaType: header(res.headers, 'content-type'), size: res.body.length };
  }

  /** HEAD of a blob: its size. Throws NOT_FOUND, UNAUTHORIZED, ... on failure. */
  async headBlob(registry: string, repository: string, digest: string, credential?: Credential): Promise<{ digest: string; size?: number }> {
    const res = await this.request({ registry, repository, method: 'HEAD', path: blobPath(repository, digest), credential });
    if (res.status !== 200) throw mapUpstreamError(res.status, res.body);
    return { digest, ...optional('size', contentLength(res.headers)) };
  }

  /**
   * A blob (or a byte range of it) as a stream. Redirects to object storage are followed without
   * the Authorization header. Throws on error statuses (416 is INVALID_ARGUMENT).
   */
  async getBlob(
    registry: string,
    repository: string,
    digest: string,
    options: { range?: ByteRange; credential?: Credential; /** false when the consumer verifies (a blob store that hashes as it writes): saves hashing every byte twice. */ verify?: boolean } = {},
  ): Promise<BlobStream> {
    const res = await this.request({ registry, repository, method: 'GET', path: blobPath(repository, digest), range: options.range, credential: options.credential, stream: true });
    if (res.status !== 200 && res.status !== 206) {
      throw mapUpstreamError(res.status, await readErrorBody({ headers: res.headers, body: res.stream }));
    }
    const size = contentLength(res.headers);
    if (res.status === 206) {
      const total = /\/(\d+)\s*$/.exec(header(res.headers, 'content-range') ?? '')?.[1];
      return { status: 206, partial: true, stream: res.stream, digest, ...optional('size', size), ...optional('totalSize', total === undefined ? undefined : Number(total)) };
    }
    // A registry may ignore Range and send everything: the caller sees `partial: false`.
    // pipeline: an error on either side, or the consumer destroying the result, ends both.
    if (options.verify === false) return { status: 200, partial: false, stream: res.stream, digest, ...optional('size', size), ...optional('totalSize', size) };
    const verified = pipeline(res.stream, verifyingStream(digest, size), () => {});
    return { status: 200, partial: false, stream: verified, digest, ...optional('size', size), ...optional('totalSize', size) };
  }

  /**
   * Whether `credential` may pull from `repository`, at the cost of one HEAD (plus a token
   * request when no token is cached). With a blob or manifest probe, the answer is "this
   * credential can read that content through this repository" (2xx): use it before serving
   * cluster-held content, since a repository the caller can read might not contain it. Without a
   * probe, a HEAD on the `latest` tag answers "authorised for the repository": 2xx or 404 mean
   * yes (docker-registry checks access before existence, with token auth, htpasswd and none
   * alike), 401 and 403 mean no. Other failures throw (UPSTREAM_ERROR, UNAVAILABLE, ...), so the
   * caller can tell "no" from "could not ask". Configured credentials are never used here.
   */
  async checkPullAccess(registry: string, repository: string, credential: Credential, probe?: AccessProbe): Promise<boolean> {
    const path = !probe ? manifestPath(repository, 'latest') : 'blob' in probe ? blobPath(repository, probe.blob) : manifestPath(repository, probe.manifest);
    const accept = probe && 'blob' in probe ? undefined : MANIFEST_ACCEPT;
    const res = await this.request({ registry, repository, method: 'HEAD', path, accept, credential });
    if (res.status >= 200 && res.status < 300) return true;
    if (res.status === 401 || res.status === 403) return false;
    if (res.status === 404) return probe === undefined;
    throw mapUpstreamError(res.status, res.body);
  }
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return typeof v === 'string' ? v : undefined;
}

/** `Docker-Content-Digest` when valid; with `strict`, an invalid one is an UPSTREAM_ERROR. */
function headerDigest(headers: IncomingHttpHeaders, strict = false): string | undefined {
  const value = header(headers, 'docker-content-digest');
  if (value === undefined) return undefined;
  try {
    return Digest.parse(value).toString();
  } catch (err) {
    if (strict) throw new UpstreamError('UPSTREAM_ERROR', `registry sent an invalid Docker-Content-Digest (${(err as ProtocolError).message})`);
    return undefined;
  }
}

function contentLength(headers: IncomingHttpHeaders): number | undefined {
  const v = header(headers, 'content-length');
  return v !== undefined && /^\d{1,16}$/.test(v) ? Number(v) : undefined;
}

function mediaTypeAndSize(headers: IncomingHttpHeaders): { mediaType?: string; size?: number } {
  return { ...optional('mediaType', header(headers, 'content-type')), ...optional('size', contentLength(headers)) };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
