export { CLUSTER_SECRET_HEADER, secretMatches } from './cluster-secret.js';
export { createPeerBlobHandler, type PeerBlobServerOptions, type PeerBlobSource } from './peer-blob-server.js';
export { type PeerContentSource } from './content-fallback.js';
export { PeerBlobClient, PeerFetchError, HOP_HEADER, type PeerBlobResponse } from './peer-blob-client.js';
export { holdLastByte } from './hold-tail.js';
