// Test helpers for the download paths: real in-process HTTP peers and a fake upstream registry on
// 127.0.0.1, a real FsBlobStore in a temp dir, and an in-memory control plane. No mocks of our code.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { FsBlobStore } from '@accelerboat/blob-store';
import { createHttpClient, HttpClientConfig, type Got } from '@accelerboat/http-client';
import { PeerBlobClient } from '@accelerboat/peer-http';
import { TokenCache, UpstreamClient } from '@accelerboat/registry-client';
import type { BlobSource, LocateBlobResponse } from '@accelerboat/registry-protocol';
import type { ControlPlane } from './control-plane.js';
import { loadRegistries, type RegistryMapping } from './registry-mapping.js';

/** The cluster secret the test peers expect. */
export const SECRET = 'test-cluster-secret-0123456789';

/** A blob body with its sha256 digest. */
export interface TestBlob {
  body: Buffer;
  digest: string;
}

/** Random bytes of the given size and their digest. */
export function testBlob(size: number): TestBlob {
  const body = randomBytes(size);
  return { body, digest: `sha256:${createHash('sha256').update(body).digest('hex')}` };
}

/** A real store in a fresh temp dir; `cleanup` closes and removes it. */
export async function tempStore(): Promise<{ store: FsBlobStore; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'mirror-'));
  const store = await FsBlobStore.open(root, { maxBytes: 1 << 30, highWatermark: 0.9, lowWatermark: 0.75 });
  return { store, cleanup: async () => void (await store.close(), await rm(root, { recursive: true, force: true })) };
}

/** The production HTTP client with its defaults. */
export function testHttp(): Got {
  return createHttpClient(new HttpClientConfig(), 'mirror-test');
}

/** Reads a (test-sized) stream to its end. */
export async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** A listening in-process server and what it was asked. */
export interface TestServer {
  url: string;
  host: string;
  /** Range headers received (`whole` when none). */
  requests: string[];
  close(): Promise<void>;
}

/** Starts `handler` on 127.0.0.1, on a free port. */
export async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<unknown>, requests: string[] = []): Promise<TestServer & { server: Server }> {
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
  return { server, url: `http://${host}`, host, requests, close };
}

/** How a hand-made peer misbehaves. */
export interface PeerBehaviour {
  /** Answer every request with this status and no body. */
  status?: number;
  /** After this many body bytes in all, cut the connection and stop listening (the node died). */
  dieAfterBytes?: number;
  /** Send this many bytes of every response, then nothing more (the connection stays open). */
  stallAfterBytes?: number;
  /** Flip a byte of responses whose range starts at an offset this accepts. */
  corrupt?: (start: number) => boolean;
}

/** A peer endpoint serving byte ranges of `blob` (`/blobs/<digest>`), misbehaving as told. */
export async function startPeer(blob: TestBlob, behaviour: PeerBehaviour = {}): Promise<TestServer> {
  let sent = 0;
  let dead = false;
  const requests: string[] = [];
  const peer = await serve(async (req, res) => {
    requests.push(req.headers.range ?? 'whole');
    if (dead) return void res.socket?.destroy();
    if (behaviour.status) return void res.writeHead(behaviour.status).end();
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    const end = m?.[2] ? Number(m[2]) : blob.body.length - 1;
    let body = blob.body.subarray(start, end + 1);
    if (behaviour.corrupt?.(start)) {
      body = Buffer.from(body);
      body[body.length >> 1] ^= 0xff;
    }
    res.writeHead(m ? 206 : 200, { 'content-length': body.length, 'x-accelerboat-blob-state': 'committed', ...(m ? { 'content-range': `bytes ${start}-${end}/${blob.body.length}` } : {}) });
    for (let at = 0; at < body.length; at += 64 * 1024) {
      const chunk = body.subarray(at, at + 64 * 1024);
      if (behaviour.dieAfterBytes !== undefined && sent + chunk.length > behaviour.dieAfterBytes) {
        dead = true;
        res.socket?.destroy();
        peer.server.close();
        return;
      }
      if (behaviour.stallAfterBytes !== undefined && at + chunk.length > behaviour.stallAfterBytes) return;
      sent += chunk.length;
      if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
    }
    res.end();
  }, requests);
  return peer;
}

/** A registry serving one blob anonymously, Range included (`/v2/<repo>/blobs/<digest>`). */
export async function startUpstream(blob: TestBlob, repository: string): Promise<TestServer> {
  const requests: string[] = [];
  return serve((req, res) => {
    if (req.url !== `/v2/${repository}/blobs/${blob.digest}`) return void res.writeHead(404).end();
    requests.push(req.headers.range ?? 'whole');
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (!m) return void res.writeHead(200, { 'content-length': blob.body.length }).end(req.method === 'HEAD' ? undefined : blob.body);
    const start = Number(m[1]);
    const end = m[2] ? Number(m[2]) : blob.body.length - 1;
    res.writeHead(206, { 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${blob.body.length}` });
    res.end(req.method === 'HEAD' ? undefined : blob.body.subarray(start, end + 1));
  }, requests);
}

/** An UpstreamClient and the registry mapping for a fake upstream (plain HTTP). */
export function upstreamFor(host: string, http: Got): { upstream: UpstreamClient; registry: RegistryMapping } {
  const upstream = new UpstreamClient({ http, tokens: new TokenCache(), registries: { [host]: { scheme: 'http' } } });
  const [registry] = loadRegistries(undefined, JSON.stringify({ registries: [{ originalHost: host, scheme: 'http' }] }));
  return { upstream, registry: registry! };
}

/** A peer client with the test secret. */
export function peerClient(http: Got): PeerBlobClient {
  return new PeerBlobClient(http, SECRET);
}

/** The peer servers as the coordinator would name them. */
export function sourcesOf(peers: TestServer[]): BlobSource[] {
  return peers.map((p, i) => ({ kind: 'peer', nodeId: `node-${i}`, url: p.url }));
}

/** A control plane that locates the blob at `sources` and records announcements. */
export function fakeControl(size: number, sources: BlobSource[]): ControlPlane & { announced: string[] } {
  const announced: string[] = [];
  const no = (): Promise<never> => Promise.reject(new Error('not in this test'));
  return {
    announced,
    locate: () => Promise.resolve({ size, sources } as LocateBlobResponse),
    announce: (req) => Promise.resolve(void announced.push(...req.entries.map((e) => e.digest))),
    checkAccess: no,
    headManifest: no,
    getManifest: no,
    token: no,
  };
}

/** Records observe events and resolves when one of the given kinds arrives. */
export function eventLog(): { events: { event: string; detail: Record<string, unknown> }[]; observe: (event: string, detail: Record<string, unknown>) => void; next: (...kinds: string[]) => Promise<{ event: string; detail: Record<string, unknown> }> } {
  const events: { event: string; detail: Record<string, unknown> }[] = [];
  const waiting: { kinds: string[]; resolve: (e: { event: string; detail: Record<string, unknown> }) => void }[] = [];
  return {
    events,
    observe: (event, detail) => {
      const e = { event, detail };
      events.push(e);
      for (const w of waiting.filter((x) => x.kinds.includes(event))) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(e);
      }
    },
    next: (...kinds) => {
      const seen = events.find((e) => kinds.includes(e.event));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiting.push({ kinds, resolve }));
    },
  };
}
