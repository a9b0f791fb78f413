// Helpers for this library's integration specs: a real docker-registry holding one pushed image.
// Not exported from the package index.
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createHttpClient, HttpClientConfig } from '@accelerboat/http-client';
import { buildImage, pushImage, startRegistry, type ImageFixture, type Registry, type RegistryOptions } from '@accelerboat/testing';
import { TokenCache, type Clock } from './token-cache.js';
import { UpstreamClient, type RegistrySettings } from './index.js';

/** A running registry with `image` pushed as `<repository>:v1`. */
export interface RegistryWithImage {
  registry: Registry;
  image: ImageFixture;
  repository: string;
  /** The pushed manifest's digest. */
  digest: string;
  /** Bytes of a layer blob, read from the fixture layout. */
  layerBytes(i: number): Promise<Buffer>;
  stop(): Promise<void>;
}

/** Starts a registry in the given auth mode and pushes a two-layer image to `repository:v1`. */
export async function registryWithImage(options: RegistryOptions, repository = 'team/app'): Promise<RegistryWithImage> {
  const registry = await startRegistry(options);
  const image = await buildImage({ layers: [300_000, 70_000, 5 * 1024 * 1024], tag: 'v1' });
  try {
    const [username, password] = Object.entries(registry.users)[0] ?? [];
    const creds = options.auth && options.auth !== 'none' && username && password ? { username, password } : undefined;
    const { digest } = await pushImage(image, { registry: registry.host, repository, tag: 'v1', creds });
    return {
      registry,
      image,
      repository,
      digest,
      layerBytes: (i) => readFile(image.blobPath(image.layers[i]!.digest)),
      async stop() {
        await registry.stop();
        await image.remove();
      },
    };
  } catch (err) {
    await registry.stop();
    await image.remove();
    throw err;
  }
}

/** An UpstreamClient for a plain-HTTP test registry, with its own token cache. */
export function clientFor(registry: Registry, settings: RegistrySettings = {}, clock?: Clock): { client: UpstreamClient; tokens: TokenCache } {
  const tokens = new TokenCache({ clock });
  const http = createHttpClient(new HttpClientConfig(), 'accelerboat-registry-client-test');
  const client = new UpstreamClient({ http, tokens, clock, registries: { [registry.host]: { scheme: 'http', ...settings } } });
  return { client, tokens };
}

/** Reads a stream to the end. */
export async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}
