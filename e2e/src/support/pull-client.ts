import { createHash } from 'node:crypto';

/** What one simulated client pulled. */
export interface PulledImage {
  manifestDigest: string;
  blobs: { digest: string; size: number }[];
}

const ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

/**
 * A minimal registry client, as containerd would behave: HEAD by tag, GET the manifest by digest,
 * then every blob, each verified by sha256. Cheap enough to run 50 at once on a small machine.
 */
export async function pullThrough(mirrorUrl: string, registry: string, repository: string, tag: string, authorization?: string): Promise<PulledImage> {
  const ns = `?ns=${encodeURIComponent(registry)}`;
  const headers: Record<string, string> = { accept: ACCEPT, ...(authorization ? { authorization } : {}) };
  const head = await fetch(`${mirrorUrl}/v2/${repository}/manifests/${tag}${ns}`, { method: 'HEAD', headers });
  if (head.status !== 200) throw new Error(`manifest HEAD ${head.status}`);
  const digest = head.headers.get('docker-content-digest')!;
  const res = await fetch(`${mirrorUrl}/v2/${repository}/manifests/${digest}${ns}`, { headers });
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200 || sha256(body) !== digest) throw new Error(`manifest GET ${res.status}`);
  const manifest = JSON.parse(body.toString('utf8')) as { config: { digest: string }; layers: { digest: string }[] };
  const blobs = await Promise.all(
    [manifest.config, ...manifest.layers].map(async ({ digest: d }) => {
      const b = await fetch(`${mirrorUrl}/v2/${repository}/blobs/${d}${ns}`, { headers });
      const bytes = Buffer.from(await b.arrayBuffer());
      if (b.status !== 200 || sha256(bytes) !== d) throw new Error(`blob ${d} ${b.status}`);
      return { digest: d, size: bytes.length };
    }),
  );
  return { manifestDigest: digest, blobs };
}

function sha256(b: Buffer): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}
