import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { copyFile, link } from 'node:fs/promises';
import { join } from 'node:path';
import { writeLayer } from './layer-stream.js';
import { tempDir } from './temp-dir.js';

/** Media types for the two manifest flavours. */
export const MEDIA_TYPES = {
  oci: {
    manifest: 'application/vnd.oci.image.manifest.v1+json',
    index: 'application/vnd.oci.image.index.v1+json',
    config: 'application/vnd.oci.image.config.v1+json',
    layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  },
  docker: {
    manifest: 'application/vnd.docker.distribution.manifest.v2+json',
    index: 'application/vnd.docker.distribution.manifest.list.v2+json',
    config: 'application/vnd.docker.container.image.v1+json',
    layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  },
} as const;

/** An OCI platform. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** A content descriptor. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
}

/** A JSON blob (manifest, index or config) with its exact bytes. */
export interface JsonBlob extends Descriptor {
  bytes: Buffer;
}

/** Options for {@link buildImage}. */
export interface BuildImageOptions {
  /**
   * One entry per layer: the number of pseudo-random payload bytes in the layer's single file.
   * The gzip blob is slightly larger (random data does not compress: + ~1.5 KiB of tar framing
   * + ~0.01% of stored-deflate framing); read the real blob sizes from `layers[i].size`.
   */
  layers: number[];
  /** 'oci' (default) or 'docker' (Docker schema 2 media types). */
  mediaTypes?: 'oci' | 'docker';
  /** Same seed, same sizes → same digests. Default: random. */
  seed?: string | number;
  /** Default linux/amd64. */
  platform?: Platform;
  /** Tag written to index.json's ref.name annotation (default 'latest'). */
  tag?: string;
  /** gzip level (default 0: stored blocks, still real gzip; random data would not shrink anyway). */
  gzipLevel?: number;
}

/** A single-platform image in an OCI image layout directory. */
export interface ImageFixture {
  kind: 'image';
  /** OCI layout dir: `oci-layout`, `index.json`, `blobs/sha256/…`. Usable as `oci:<dir>:<tag>`. */
  dir: string;
  tag: string;
  mediaTypes: 'oci' | 'docker';
  platform: Platform;
  manifest: JsonBlob;
  config: JsonBlob;
  layers: (Descriptor & { diffId: string })[];
  /** Path of a blob in the layout. */
  blobPath(digest: string): string;
  /** Deletes the layout dir. */
  remove(): Promise<void>;
}

/** A multi-platform index (OCI image index or Docker manifest list) in an OCI layout directory. */
export interface IndexFixture {
  kind: 'index';
  dir: string;
  tag: string;
  mediaTypes: 'oci' | 'docker';
  index: JsonBlob;
  images: ImageFixture[];
  blobPath(digest: string): string;
  remove(): Promise<void>;
}

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function putJson(blobsDir: string, mediaType: string, value: unknown): JsonBlob {
  const bytes = Buffer.from(JSON.stringify(value));
  const digest = sha256(bytes);
  writeFileSync(join(blobsDir, digest.slice(7)), bytes);
  return { mediaType, digest, size: bytes.length, bytes };
}

function initLayout(prefix: string) {
  const dir = tempDir(prefix);
  const blobs = join(dir.path, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  writeFileSync(join(dir.path, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  return { dir, blobs, blobPath: (digest: string) => join(blobs, digest.replace(/^sha256:/, '')) };
}

function writeIndexJson(dir: string, top: Descriptor, tag: string): void {
  const { mediaType, digest, size, platform } = top;
  const entry = { mediaType, digest, size, ...(platform ? { platform } : {}), annotations: { 'org.opencontainers.image.ref.name': tag } };
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [entry] }));
}

/** Builds an image with real tar+gzip layers, correct diff_ids, config and manifest, streaming each layer to disk. */
export async function buildImage(opts: BuildImageOptions): Promise<ImageFixture> {
  const flavour = opts.mediaTypes ?? 'oci';
  const mt = MEDIA_TYPES[flavour];
  const seed = String(opts.seed ?? randomUUID());
  const platform = opts.platform ?? { os: 'linux', architecture: 'amd64' };
  const tag = opts.tag ?? 'latest';
  const { dir, blobs, blobPath } = initLayout('ab-image-');
  try {
    const layers: (Descriptor & { diffId: string })[] = [];
    for (const [i, size] of opts.layers.entries()) {
      const platformKey = `${platform.os}/${platform.architecture}/${platform.variant ?? ''}`;
      const l = await writeLayer(blobs, `layer${i}.bin`, size, `${seed}:${platformKey}:${i}`, opts.gzipLevel ?? 0);
      layers.push({ mediaType: mt.layer, digest: l.digest, size: l.size, diffId: l.diffId });
    }
    const config = putJson(blobs, mt.config, {
      architecture: platform.architecture,
      os: platform.os,
      ...(platform.variant ? { variant: platform.variant } : {}),
      created: '2024-01-01T00:00:00Z',
      config: { Cmd: ['/layer0.bin'], Labels: { 'accelerboat.test.seed': seed } },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: layers.map((_, i) => ({ created: '2024-01-01T00:00:00Z', created_by: `accelerboat fixture layer ${i}` })),
    });
    const descriptor = (d: Descriptor) => ({ mediaType: d.mediaType, digest: d.digest, size: d.size });
    const manifest = putJson(blobs, mt.manifest, {
      schemaVersion: 2,
      mediaType: mt.manifest,
      config: descriptor(config),
      layers: layers.map(descriptor),
    });
    writeIndexJson(dir.path, manifest, tag);
    return { kind: 'image', dir: dir.path, tag, mediaTypes: flavour, platform, manifest, config, layers, blobPath, remove: () => dir.remove() };
  } catch (err) {
    await dir.remove();
    throw err;
  }
}

/**
 * Combines images (each built for its own `platform`) into one multi-platform index: an OCI image
 * index for 'oci', a Docker manifest list for 'docker' (default: the first image's flavour).
 * The new layout holds every blob (hard links where possible), so the inputs may be removed.
 */
export async function buildIndex(images: ImageFixture[], opts: { mediaTypes?: 'oci' | 'docker'; tag?: string } = {}): Promise<IndexFixture> {
  if (!images.length) throw new Error('buildIndex needs at least one image');
  const flavour = opts.mediaTypes ?? images[0]!.mediaTypes;
  const tag = opts.tag ?? 'latest';
  const { dir, blobs, blobPath } = initLayout('ab-index-');
  try {
    for (const img of images) {
      for (const d of [img.manifest, img.config, ...img.layers]) {
        await link(img.blobPath(d.digest), blobPath(d.digest)).catch((e: NodeJS.ErrnoException) =>
          e.code === 'EEXIST' ? undefined : copyFile(img.blobPath(d.digest), blobPath(d.digest)),
        );
      }
    }
    const index = putJson(blobs, MEDIA_TYPES[flavour].index, {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES[flavour].index,
      manifests: images.map((i) => ({ mediaType: i.manifest.mediaType, digest: i.manifest.digest, size: i.manifest.size, platform: i.platform })),
    });
    writeIndexJson(dir.path, index, tag);
    return { kind: 'index', dir: dir.path, tag, mediaTypes: flavour, index, images, blobPath, remove: () => dir.remove() };
  } catch (err) {
    await dir.remove();
    throw err;
  }
}
