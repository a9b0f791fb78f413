export { HttpClientConfig } from './http-client.config.js';
export { createHttpClient, type Got } from './create-http-client.js';
