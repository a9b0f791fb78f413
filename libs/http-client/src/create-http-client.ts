import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { got, type Got } from 'got';
import { HttpProxyAgent, HttpsProxyAgent } from 'hpagent';
import type { HttpClientConfig } from './http-client.config.js';

export type { Got } from 'got';

/**
 * The one HTTP client factory. Keep-alive agents bounded per host, the egress proxy when one is
 * configured, certificate verification on unless the operator turned it off, no automatic retries
 * (callers own their fallback chain) and no redirects followed blindly across hosts' credentials.
 */
export function createHttpClient(config: HttpClientConfig, userAgent: string): Got {
  const agentOptions = { keepAlive: true, maxSockets: config.maxSockets, maxFreeSockets: 8, scheduling: 'lifo' as const };
  const agent = config.httpProxy
    ? {
        http: new HttpProxyAgent({ ...agentOptions, proxy: config.httpProxy }),
        https: new HttpsProxyAgent({ ...agentOptions, proxy: config.httpProxy, rejectUnauthorized: config.tlsVerify }),
      }
    : { http: new HttpAgent(agentOptions), https: new HttpsAgent({ ...agentOptions, rejectUnauthorized: config.tlsVerify }) };
  return got.extend({
    agent,
    https: { rejectUnauthorized: config.tlsVerify },
    timeout: { connect: config.connectTimeoutMs, response: config.responseTimeoutMs },
    retry: { limit: 0 },
    throwHttpErrors: false,
    followRedirect: true,
    headers: { 'user-agent': userAgent },
  });
}
