import type { IncomingHttpHeaders } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import type { Got, PlainResponse } from 'got';
import { mapTransportError, UpstreamError } from './upstream-errors.js';

/*
 * One HTTP exchange with an upstream, always streamed, with redirects followed by hand. got would
 * follow them too, but it keeps the Authorization header when only the scheme changes
 * (https://host → http://host), and it re-sends a POST body on 307/308. Here the header is dropped
 * as soon as the origin (scheme, host, port) changes, and only GET and HEAD are ever redirected.
 */

/** An upstream response whose body has not been read yet. */
export interface UpstreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The URL that finally answered, after redirects. */
  url: string;
  /** The body; errors on it are ProtocolErrors (TIMEOUT, UNAVAILABLE). Destroy it when unused. */
  body: Readable;
}

/** What {@link send} sends. */
export interface SendOptions {
  method: 'GET' | 'HEAD' | 'POST';
  headers: Record<string, string>;
  /** Request body (the token POST form). */
  body?: string;
  /** Follow redirects (GET and HEAD only). */
  followRedirects?: boolean;
  /** Name of the peer for error messages (`upstream`, `token realm`). */
  what?: string;
}

/** Most redirects followed: registries redirect blobs once, to object storage or a CDN. */
export const MAX_REDIRECTS = 5;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Sends one request (following redirects when asked) and resolves once headers arrive. */
export async function send(http: Got, url: URL, options: SendOptions): Promise<UpstreamResponse> {
  const what = options.what ?? 'upstream';
  const headers = { ...options.headers };
  const origin = url.origin;
  let current = url;
  for (let hop = 0; ; hop++) {
    const res = await open(http, current, options.method, headers, options.body, what);
    const location = res.headers.location;
    const follow = options.followRedirects && options.method !== 'POST' && REDIRECTS.has(res.status) && typeof location === 'string';
    if (!follow) return res;
    res.body.destroy();
    if (hop >= MAX_REDIRECTS) throw new UpstreamError('UPSTREAM_ERROR', `${what} redirected more than ${MAX_REDIRECTS} times`, res.status);
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      throw new UpstreamError('UPSTREAM_ERROR', `${what} redirected to an invalid URL`, res.status);
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw new UpstreamError('UPSTREAM_ERROR', `${what} redirected to a ${next.protocol} URL`, res.status);
    }
    // Credentials belong to the registry's origin only; once dropped they stay dropped.
    if (next.origin !== origin) delete headers.authorization;
    current = next;
  }
}

function open(http: Got, url: URL, method: SendOptions['method'], headers: Record<string, string>, body: string | undefined, what: string): Promise<UpstreamResponse> {
  return new Promise((resolve, reject) => {
    let stream: ReturnType<Got['stream']>;
    try {
      stream = http.stream(url, { method, headers, body, followRedirect: false, decompress: false, throwHttpErrors: false });
    } catch (err) {
      reject(mapTransportError(err, what));
      return;
    }
    // got's own errors carry the request options (Authorization, the form's password): they are
    // replaced by ProtocolErrors before anything outside this file can see or log them.
    const out = new PassThrough();
    let answered = false;
    stream.on('error', (err) => {
      const mapped = mapTransportError(err, what);
      if (answered) out.destroy(mapped);
      else reject(mapped);
    });
    out.on('close', () => {
      if (!stream.destroyed) stream.destroy();
    });
    stream.once('response', (response: PlainResponse) => {
      answered = true;
      stream.pipe(out);
      resolve({ status: response.statusCode, headers: response.headers, url: url.toString(), body: out });
    });
  });
}

/** The parts of a response a body reader needs. */
export type BodySource = Pick<UpstreamResponse, 'headers' | 'body'>;

/**
 * Reads a whole body, refusing more than `maxBytes` (UPSTREAM_ERROR): a hostile upstream cannot
 * make us buffer an unbounded manifest or token reply.
 */
export async function readBounded(res: BodySource, maxBytes: number, what = 'upstream'): Promise<Buffer> {
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.body.destroy();
    throw new UpstreamError('UPSTREAM_ERROR', `${what} body of ${declared} bytes exceeds the ${maxBytes}-byte limit`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      res.body.destroy();
      throw new UpstreamError('UPSTREAM_ERROR', `${what} body exceeds the ${maxBytes}-byte limit`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Reads at most `maxBytes` of a body for an error message, then discards the rest. */
export async function readErrorBody(res: BodySource, maxBytes = 64 * 1024): Promise<Buffer> {
  try {
    return await readBounded(res, maxBytes);
  } catch {
    return Buffer.alloc(0);
  }
}
