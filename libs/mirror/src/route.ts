import { digestProblem, repositoryNameProblem, referenceProblem } from '@accelerboat/registry-protocol';
import { OciError } from './oci-error.js';

/** What a request to the Registry V2 surface asks for. */
export type RegistryRoute =
  | { kind: 'version' }
  | { kind: 'manifest'; repository: string; reference: string }
  | { kind: 'blob'; repository: string; digest: string }
  | { kind: 'token' }
  | { kind: 'other' };

// Request paths longer than this are refused outright: the grammar caps names at 255 and a
// digest at 135 characters, so anything longer is an attack or a bug.
const MAX_PATH = 1024;

/**
 * Parses a request path (without query) into a route. The repository name and reference are
 * validated against the distribution grammar before anything uses them, so `..`, `%2e%2e`,
 * uppercase or overlong names are refused with the spec's own error codes; they never reach a
 * cache key, a file name or an upstream URL.
 */
export function parseRoute(rawPath: string): RegistryRoute {
  if (rawPath.length > MAX_PATH) throw new OciError('NAME_INVALID', 'request path is too long');
  if (rawPath === '/v2' || rawPath === '/v2/') return { kind: 'version' };
  if (rawPath === '/v2/token' || rawPath === '/token') return { kind: 'token' };
  // Percent-encoding is not part of the name grammar; refusing it closes %2f/%2e tricks.
  if (rawPath.includes('%')) throw new OciError('NAME_INVALID', 'percent-encoded characters are not allowed in repository names');
  const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(rawPath);
  if (!m) return { kind: 'other' };
  const [, repository, what, ref] = m as unknown as [string, string, string, string];
  if (what === 'blobs' && ref === 'uploads') return { kind: 'other' };
  const nameProblem = repositoryNameProblem(repository);
  if (nameProblem) throw new OciError('NAME_INVALID', `invalid repository name: ${nameProblem}`);
  if (what === 'manifests') {
    const problem = referenceProblem(ref);
    if (problem) throw new OciError('MANIFEST_INVALID', `invalid reference: ${problem}`, 400);
    return { kind: 'manifest', repository, reference: ref };
  }
  const problem = digestProblem(ref);
  if (problem) throw new OciError('DIGEST_INVALID', `invalid digest: ${problem}`);
  return { kind: 'blob', repository, digest: ref };
}
