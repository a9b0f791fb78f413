import {
  DOCKER_HUB_ALIASES,
  DOCKER_HUB_REGISTRY,
  InvalidReferenceError,
  normalizeRegistryHost,
  parseReference,
  repositoryNameProblem,
} from '@accelerboat/registry-protocol';

/** An image reference as docker and containerd read `[registry/]repository[:tag][@digest]`. */
export interface ImageRef {
  /** The registry as the coordinator wants it (Docker Hub is `registry-1.docker.io`). */
  registry: string;
  /** The registry as people write it (`docker.io`), for display and containerd's hosts dir. */
  displayRegistry: string;
  /** Full repository path (`library/alpine`). */
  repository: string;
  /** What to resolve: the digest when one is given, else the tag (`latest` by default). */
  reference: string;
  tag?: string;
  digest?: string;
}

/**
 * Parses an image reference with Docker's defaults: without a registry part it is Docker Hub,
 * and a one-component Hub name is an official image (`alpine` → `docker.io/library/alpine:latest`).
 * The first component is a registry when it has a `.` or a `:` or is `localhost`, as in
 * distribution's reference grammar. Throws InvalidReferenceError naming what is wrong.
 */
export function parseImageReference(input: string): ImageRef {
  const text = input.trim();
  if (!text) throw new InvalidReferenceError('image reference must not be empty');
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (parseReference(digest).kind !== 'digest') throw new InvalidReferenceError('image reference: what follows "@" must be a digest');
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (parseReference(tag).kind !== 'tag') throw new InvalidReferenceError('image reference: tag is not valid');
  }
  const slash = rest.indexOf('/');
  const first = slash < 0 ? '' : rest.slice(0, slash);
  const hasRegistry = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost');
  const host = hasRegistry ? first : 'docker.io';
  let repository = hasRegistry ? rest.slice(slash + 1) : rest;
  const registry = normalizeRegistryHost(host);
  if (registry === DOCKER_HUB_REGISTRY && !repository.includes('/')) repository = `library/${repository}`;
  const problem = repositoryNameProblem(repository);
  if (problem) throw new InvalidReferenceError(`image reference: repository ${problem}`);
  const displayRegistry = DOCKER_HUB_ALIASES.includes(host.toLowerCase()) ? 'docker.io' : host.toLowerCase();
  if (!tag && !digest) tag = 'latest';
  return { registry, displayRegistry, repository, reference: digest ?? tag!, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** `docker.io/library/alpine:3.20@sha256:…`, the canonical spelling. */
export function formatImageRef(ref: ImageRef): string {
  return `${ref.displayRegistry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}
