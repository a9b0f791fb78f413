import type { ValidationOptions } from 'class-validator';
import { hasControlCharacters, rule } from '../rule.js';

/*
 * Media types of images and manifests. OCI values come from the image spec
 * (https://github.com/opencontainers/image-spec/blob/main/media-types.md), Docker values from the
 * Image Manifest V2 Schema 2 document
 * (https://github.com/distribution/distribution/blob/main/docs/content/spec/manifest-v2-2.md).
 * Wire-stable: registries and containerd compare these strings byte for byte.
 */

/** OCI image manifest. */
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
/** OCI image index (multi-platform). */
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
/** OCI image configuration. */
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
/** OCI layer, uncompressed tar. */
export const OCI_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
/** OCI layer, gzip-compressed tar. */
export const OCI_LAYER_TAR_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
/** OCI layer, zstd-compressed tar. */
export const OCI_LAYER_TAR_ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';
/** OCI non-distributable layer, uncompressed (deprecated by the spec, still found in images). */
export const OCI_LAYER_NONDISTRIBUTABLE_TAR = 'application/vnd.oci.image.layer.nondistributable.v1.tar';
/** OCI non-distributable layer, gzip-compressed. */
export const OCI_LAYER_NONDISTRIBUTABLE_TAR_GZIP = 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip';
/** OCI non-distributable layer, zstd-compressed. */
export const OCI_LAYER_NONDISTRIBUTABLE_TAR_ZSTD = 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd';

/** Docker image manifest, schema 2. */
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
/** Docker manifest list (multi-platform). */
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
/** Docker container configuration. */
export const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
/** Docker layer, gzip-compressed tar. */
export const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
/** Docker foreign layer (Windows base layers served from elsewhere). */
export const DOCKER_FOREIGN_LAYER = 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip';

/**
 * The Accept list containerd sends when it resolves a manifest, in its order
 * (remotes/docker/resolver.go; containerd appends `*\/*` after these four).
 */
export const MANIFEST_ACCEPT: readonly string[] = [DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_MANIFEST, OCI_INDEX];

/**
 * Largest manifest we fetch, cache or relay: 4 MiB. The distribution spec asks clients and
 * registries to support manifests of at least this size and lets registries refuse larger ones
 * (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-manifests).
 * containerd's resolver refuses manifests a little above this (`MaxManifestSize`, 4 * 1048 * 1048
 * bytes, in remotes/docker); the rare manifest between the two limits is left to the edge-proxy's
 * proxy-to-upstream fallback rather than to the NATS path.
 */
export const MANIFEST_MAX_BYTES = 4 * 1024 * 1024;

/** Longest media type or Accept item we carry, in characters (RFC 6838 names are ≤ 127 each). */
export const MEDIA_TYPE_MAX_LENGTH = 255;

/**
 * The essence of a media type: parameters dropped, whitespace trimmed, lowercased, since media
 * types compare case-insensitively (RFC 6838 section 4.2).
 */
export function baseMediaType(mediaType: string): string {
  const semi = mediaType.indexOf(';');
  return (semi < 0 ? mediaType : mediaType.slice(0, semi)).trim().toLowerCase();
}

/** True for a single-platform image manifest (OCI or Docker schema 2). */
export function isManifestMediaType(mediaType: string): boolean {
  const base = baseMediaType(mediaType);
  return base === OCI_MANIFEST || base === DOCKER_MANIFEST;
}

/** True for a multi-platform index (OCI index or Docker manifest list). */
export function isIndexMediaType(mediaType: string): boolean {
  const base = baseMediaType(mediaType);
  return base === OCI_INDEX || base === DOCKER_MANIFEST_LIST;
}

// RFC 6838 section 4.2 restricted names, and simple `; name=value` parameters (RFC 9110 tokens).
const NAME = '[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}';
const PARAMS = "(?:[ \\t]*;[ \\t]*[A-Za-z0-9!#$%&'*+.^_`|~-]+=[A-Za-z0-9!#$%&'*+.^_`|~-]+)*";
const MEDIA_TYPE = new RegExp(`^${NAME}/${NAME}${PARAMS}$`);
const MEDIA_RANGE = new RegExp(`^(?:\\*/\\*|${NAME}/(?:\\*|${NAME}))${PARAMS}$`);

function mediaProblem(pattern: RegExp, what: string): (value: unknown) => string | undefined {
  return (value) => {
    if (typeof value !== 'string') return 'must be a string';
    if (value.length === 0) return 'must not be empty';
    if (value.length > MEDIA_TYPE_MAX_LENGTH) return `must be at most ${MEDIA_TYPE_MAX_LENGTH} characters`;
    if (hasControlCharacters(value)) return 'must not contain control characters';
    return pattern.test(value) ? undefined : `must be ${what}`;
  };
}

/** Why a value is not a media type (`type/subtype[; k=v]`), or undefined when it is one. */
export const mediaTypeProblem = mediaProblem(MEDIA_TYPE, 'a media type such as application/vnd.oci.image.manifest.v1+json');

/** Why a value is not one Accept item (a media type, `type/*` or `*\/*`), or undefined. */
export const mediaRangeProblem = mediaProblem(MEDIA_RANGE, 'a media type or range such as application/json or */*');

/** class-validator decorator: the property is a media type without wildcards. */
export function IsMediaType(options?: ValidationOptions): PropertyDecorator {
  return rule('isMediaType', mediaTypeProblem, options);
}

/** class-validator decorator: the property is one item of an Accept header. */
export function IsMediaRange(options?: ValidationOptions): PropertyDecorator {
  return rule('isMediaRange', mediaRangeProblem, options);
}
