export { OciError, OciErrorCodes, type OciErrorCode } from './oci-error.js';
export { parseRoute, type RegistryRoute } from './route.js';
export { parseRange, type ByteRange } from './range.js';
export { RegistryMapping, RegistryUser, RegistriesFile, loadRegistries, passwordOf } from './registry-mapping.js';
export { UpstreamResolver } from './upstream-resolver.js';
