import { Digest, parseReference, repositoryNameProblem, InvalidReferenceError } from '@accelerboat/registry-protocol';

/*
 * Upstream request paths are built here from validated names only. A raw client path never
 * reaches the upstream: `/v2/../../admin` or a percent-escaped name cannot be expressed.
 */

declare const registryPathBrand: unique symbol;

/** A `/v2/...` path built by {@link manifestPath} or {@link blobPath}. */
export type RegistryPath = string & { readonly [registryPathBrand]: true };

/** Validates a repository name; throws InvalidReferenceError (INVALID_ARGUMENT). */
export function checkRepository(repository: string): string {
  const problem = repositoryNameProblem(repository);
  if (problem) throw new InvalidReferenceError(`repository ${problem}`);
  return repository;
}

/** `/v2/<repository>/manifests/<reference>`; the reference is a tag or a digest. */
export function manifestPath(repository: string, reference: string): RegistryPath {
  const ref = parseReference(reference);
  return `/v2/${checkRepository(repository)}/manifests/${ref.value}` as RegistryPath;
}

/** `/v2/<repository>/blobs/<digest>`. */
export function blobPath(repository: string, digest: string): RegistryPath {
  return `/v2/${checkRepository(repository)}/blobs/${Digest.parse(digest).toString()}` as RegistryPath;
}

/** True when the path addresses a blob (blob GETs may be redirected to object storage). */
export function isBlobPath(path: RegistryPath): boolean {
  return /\/blobs\/sha(?:256|512):[0-9a-f]+$/.test(path);
}
