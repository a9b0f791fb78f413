import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { error, parseSingleRange } from './peer-http-util.js';

/**
 * A read-only, digest-addressed content store a peer server may also serve from (containerd's
 * content service fits it as is). Only committed content may be visible through it.
 */
export interface PeerContentSource {
  /** The blob's size, or undefined when the store does not hold it; rejects when the store cannot be asked. */
  info(digest: string): Promise<{ size: number } | undefined>;
  /**
   * The blob's bytes (from `offset`, `size` of them; the rest of the blob when absent). A blob that
   * vanished surfaces as an error with `code: 'NOT_FOUND'` on the stream, anything else as
   * another error.
   */
  read(digest: string, range?: { offset?: number; size?: number }): Readable;
}

type Observe = ((status: number, bytes: number) => void) | undefined;

/** containerd-client's errors carry `code: 'NOT_FOUND'`; other failures mean the store is away. */
function statusOf(err: unknown): number {
  return (err as { code?: unknown } | null)?.code === 'NOT_FOUND' ? 404 : 503;
}

/**
 * Serves one blob from a content source. The caller already checked the secret and the digest.
 * The content was verified when it entered the store, so it is served as committed; a body that
 * comes up short is aborted rather than ended, so a peer never takes a truncated body as whole.
 */
export async function serveFromContent(source: PeerContentSource, digest: string, req: IncomingMessage, res: ServerResponse, observe: Observe): Promise<true> {
  const done = (status: number, body?: string): true => {
    if (!res.headersSent) res.writeHead(status, body ? { 'content-type': 'application/json' } : {}).end(body);
    else res.destroy();
    observe?.(status, 0);
    return true;
  };
  const unavailable = (err: unknown): true =>
    statusOf(err) === 404 ? done(404, error('BLOB_UNKNOWN', 'blob not on this node')) : done(503, error('UNAVAILABLE', 'content store unreachable'));

  let size: number;
  try {
    const info = await source.info(digest);
    if (!info) return done(404, error('BLOB_UNKNOWN', 'blob not on this node'));
    size = info.size;
  } catch (err) {
    return unavailable(err);
  }

  const range = parseSingleRange(req.headers.range);
  if (range === 'invalid' || (range && (range.start >= size || (range.end ?? 0) >= size))) {
    res.setHeader('content-range', `bytes */${size}`);
    return done(416, error('RANGE_INVALID', 'unsatisfiable range'));
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? size - 1;
  const length = end - start + 1;
  const status = range ? 206 : 200;
  const headers: Record<string, string | number> = {
    'docker-content-digest': digest,
    'accept-ranges': 'bytes',
    'content-type': 'application/octet-stream',
    'x-accelerboat-blob-state': 'committed',
    'content-length': length,
  };
  if (range) headers['content-range'] = `bytes ${start}-${end}/${size}`;
  if (req.method === 'HEAD' || length === 0) {
    res.writeHead(status, headers).end();
    observe?.(status, 0);
    return true;
  }

  const stream = source.read(digest, range ? { offset: start, size: length } : {});
  // Headers wait for the first bytes: a blob deleted since info() is still a clean 404, an
  // unreachable store a 503, instead of a 200 that breaks off.
  try {
    await firstBytes(stream);
  } catch (err) {
    stream.destroy();
    return unavailable(err);
  }
  res.writeHead(status, headers);
  const counter = exactLength(length);
  try {
    await pipeline(stream, counter, res);
    observe?.(status, counter.bytes);
  } catch {
    res.destroy();
    observe?.(599, counter.bytes);
  }
  return true;
}

/** Resolves when the stream has bytes (or ended); rejects with its error, also when it closed without one. */
function firstBytes(stream: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (err?: Error | null): void => {
      stream.off('readable', ok).off('error', settle).off('close', closed);
      // An error between now and the pipeline's own listener must not crash the process; the
      // pipeline still sees it (the stream is then errored).
      if (!err) stream.on('error', () => undefined);
      if (err) reject(err);
      else resolve();
    };
    const ok = (): void => settle();
    const closed = (): void => settle(stream.errored ?? new Error('content stream closed before its first byte'));
    stream.once('readable', ok).once('error', settle).once('close', closed);
  });
}

/** Passes bytes through and fails the pipeline when the total is not `expected`. */
function exactLength(expected: number): Transform & { bytes: number } {
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      t.bytes += chunk.length;
      if (t.bytes > expected) return cb(new Error(`content longer than ${expected} bytes`));
      cb(null, chunk);
    },
    flush(cb: TransformCallback) {
      cb(t.bytes === expected ? null : new Error(`content ended after ${t.bytes} of ${expected} bytes`));
    },
  }) as Transform & { bytes: number };
  t.bytes = 0;
  return t;
}
