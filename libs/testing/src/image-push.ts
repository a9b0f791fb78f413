import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { ImageFixture, IndexFixture, JsonBlob } from './image-fixture.js';
import { RegistryClient, type Credentials, type RegistryResponse } from './registry-client.js';

/** Where {@link pushImage} pushes to. */
export interface PushTarget {
  /** Registry `host:port` (plain HTTP). */
  registry: string;
  repository: string;
  /** Default: the fixture's tag. */
  tag?: string;
  creds?: Credentials;
}

function check(res: RegistryResponse, what: string, ...ok: number[]): RegistryResponse {
  if (!ok.includes(res.status)) throw new Error(`${what}: HTTP ${res.status} ${res.body.toString().slice(0, 500)}`);
  return res;
}

/** Uploads one blob from a file (HEAD first, then POST + monolithic streamed PUT). */
async function pushBlob(client: RegistryClient, repo: string, digest: string, size: number, path: string): Promise<void> {
  const scope = `repository:${repo}:pull,push`;
  const head = await client.request(`/v2/${repo}/blobs/${digest}`, { method: 'HEAD', scope });
  if (head.status === 200) return;
  const start = check(await client.request(`/v2/${repo}/blobs/uploads/`, { method: 'POST', scope }), `start upload of ${digest}`, 202);
  const location = start.headers.location;
  if (!location) throw new Error(`registry gave no upload location for ${digest}`);
  const url = new URL(location, `http://${client.host}`);
  url.searchParams.set('digest', digest);
  const res = await client.request(url.toString(), {
    method: 'PUT',
    scope,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
    // A factory: the body is streamed from disk (layers may be 1 GiB) and re-opened on an auth retry.
    body: () => createReadStream(path),
  });
  check(res, `upload of ${digest}`, 201);
}

async function putManifest(client: RegistryClient, repo: string, ref: string, m: JsonBlob): Promise<void> {
  const res = await client.request(`/v2/${repo}/manifests/${ref}`, {
    method: 'PUT',
    scope: `repository:${repo}:pull,push`,
    headers: { 'content-type': m.mediaType },
    body: m.bytes,
  });
  check(res, `manifest PUT ${repo}:${ref}`, 201);
  const got = res.headers['docker-content-digest'];
  if (got && got !== m.digest) throw new Error(`registry stored ${repo}:${ref} as ${got}, expected ${m.digest}`);
}

async function pushOne(client: RegistryClient, repo: string, img: ImageFixture, ref: string): Promise<void> {
  for (const d of [...img.layers, img.config]) await pushBlob(client, repo, d.digest, d.size, img.blobPath(d.digest));
  await putManifest(client, repo, ref, img.manifest);
}

/**
 * Pushes an image or index by the registry HTTP API (no external tool): blobs first, then the
 * child manifests by digest, then the top manifest by tag. Returns the top manifest's digest.
 */
export async function pushImage(fixture: ImageFixture | IndexFixture, target: PushTarget): Promise<{ digest: string; reference: string }> {
  const client = new RegistryClient(target.registry, target.creds);
  const repo = target.repository;
  const tag = target.tag ?? fixture.tag;
  if (fixture.kind === 'image') {
    await pushOne(client, repo, fixture, tag);
  } else {
    for (const img of fixture.images) await pushOne(client, repo, img, img.manifest.digest);
    await putManifest(client, repo, tag, fixture.index);
  }
  const digest = fixture.kind === 'image' ? fixture.manifest.digest : fixture.index.digest;
  return { digest, reference: `${target.registry}/${repo}:${tag}` };
}

/** Accept header listing every manifest type this package produces. */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

/** Fetches a manifest by the registry API; `digest` is computed from the bytes received. */
export async function fetchManifest(
  registry: string,
  repository: string,
  reference: string,
  opts: { creds?: Credentials; accept?: string } = {},
): Promise<{ status: number; mediaType?: string; digest: string; headerDigest?: string; bytes: Buffer }> {
  const client = new RegistryClient(registry, opts.creds);
  const res = await client.request(`/v2/${repository}/manifests/${reference}`, {
    headers: { accept: opts.accept ?? MANIFEST_ACCEPT },
    scope: `repository:${repository}:pull`,
  });
  const header = res.headers['docker-content-digest'];
  return {
    status: res.status,
    mediaType: res.headers['content-type'],
    digest: `sha256:${createHash('sha256').update(res.body).digest('hex')}`,
    headerDigest: typeof header === 'string' ? header : undefined,
    bytes: res.body,
  };
}
