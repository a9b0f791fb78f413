import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildImage, pushImage, startRegistry, type ImageFixture, type Registry } from '@accelerboat/testing';

export const USER = 'alice';
export const PASSWORD = 's3cret';

/** A token-auth upstream with one pushed image. */
export interface Upstream {
  registry: Registry;
  image: ImageFixture;
  repository: string;
  tag: string;
  digest: string;
}

/** Starts docker-registry with our token server, pushes an image of the given layer sizes. */
export async function startUpstream(opts: { anonymousPull: boolean; layers: number[]; repository?: string; mediaTypes?: 'oci' | 'docker' }): Promise<Upstream> {
  const registry = await startRegistry({ auth: 'token', anonymousPull: opts.anonymousPull, users: { [USER]: PASSWORD } });
  const image = await buildImage({ layers: opts.layers, mediaTypes: opts.mediaTypes ?? 'oci' });
  const repository = opts.repository ?? 'team/app';
  const pushed = await pushImage(image, { registry: registry.host, repository, tag: 'v1', creds: { username: USER, password: PASSWORD } });
  return { registry, image, repository, tag: 'v1', digest: pushed.digest };
}

/** The REGISTRIES_FILE the apps read: every upstream over plain HTTP (test registries on loopback). */
export function writeRegistriesFile(dir: string, hosts: string[]): string {
  const path = join(dir, 'registries.json');
  writeFileSync(path, JSON.stringify({ registries: hosts.map((originalHost) => ({ originalHost, scheme: 'http' })) }));
  return path;
}
