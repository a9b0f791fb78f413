export * from './errors.js';
export * from './validate.js';
export * from './endpoint.js';
export * from './endpoints.js';
export * from './oci/digest.js';
export * from './messages/blob-locate.js';
