// The public surface of @accelerboat/registry-client: the upstream side of the Registry V2 protocol.
export { parseWwwAuthenticate, findChallenge, type AuthChallenge, type AuthScheme } from './www-authenticate.js';
export {
  ANONYMOUS,
  basicCredential,
  bearerCredential,
  credentialFromAuthorization,
  authorizationHeader,
  fingerprint,
  Fingerprinter,
  type Credential,
  type AnonymousCredential,
  type BasicCredential,
  type BearerCredential,
  type RedactedCredential,
} from './credential.js';
export { TokenCache, DEFAULT_TOKEN_TTL_SECONDS, TOKEN_SAFETY_MARGIN_SECONDS, type Clock, type TokenKey, type CachedToken, type TokenCacheOptions } from './token-cache.js';
export { manifestPath, blobPath, type RegistryPath } from './paths.js';
export { checkRealm, mayReceiveCredentials, type RegistryEndpoint } from './realm.js';
export { fetchToken, parseTokenReply, OAUTH_CLIENT_ID, type TokenForm, type TokenRequest, type TokenReply } from './token-fetch.js';
export { UpstreamError, mapUpstreamError, mapTransportError, parseOciErrors, errorCodeForStatus, type OciErrorEntry } from './upstream-errors.js';
export { verifyingStream, digestOf } from './digest-verify.js';
export {
  type UpstreamClientOptions,
  type RegistrySettings,
  type UpstreamRequest,
  type BufferedResponse,
  type StreamedResponse,
  type ByteRange,
} from './upstream-request.js';
export { UpstreamClient, type ManifestOptions, type ManifestHead, type Manifest, type BlobStream, type AccessProbe } from './upstream-client.js';
