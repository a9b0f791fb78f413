import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Got } from 'got';
import { HOP_HEADER } from '@accelerboat/peer-http';
import type { RegistryMapping } from './registry-mapping.js';

// Hop-by-hop headers (RFC 9110 §7.6.1) and ones that would tell the upstream about us.
const DROP = new Set(['connection', 'keep-alive', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);

/**
 * Everything outside the mirror's surface (uploads, tag lists, catalog) goes to the upstream as
 * it is, streamed both ways. The path was already checked to start with /v2/, and the query is
 * passed through without our own `ns` parameter.
 */
export async function reverseProxy(http: Got, req: IncomingMessage, res: ServerResponse, registry: RegistryMapping): Promise<void> {
  const url = new URL(req.url ?? '/v2/', `${registry.scheme}://${registry.originalHost}`);
  url.searchParams.delete('ns');
  const headers: Record<string, string | string[]> = { [HOP_HEADER]: '1' };
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !DROP.has(k)) headers[k] = v;
  const upstream = http.stream(url, {
    method: req.method as 'GET',
    headers,
    body: req.method === 'GET' || req.method === 'HEAD' ? undefined : req,
    followRedirect: false,
    throwHttpErrors: false,
  });
  upstream.on('response', (r: IncomingMessage) => {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(r.headers)) if (v !== undefined && !DROP.has(k)) out[k] = v;
    res.writeHead(r.statusCode ?? 502, out);
  });
  try {
    await pipeline(upstream, res);
  } catch {
    if (!res.headersSent) res.writeHead(502).end();
    else res.destroy();
  }
}
