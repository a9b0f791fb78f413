import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { FsBlobStore } from '@accelerboat/blob-store';
import { CLUSTER_SECRET_HEADER } from './cluster-secret.js';
import type { PeerContentSource } from './content-fallback.js';
import { createPeerBlobHandler } from './peer-blob-server.js';

const secret = 'test-cluster-secret-0123456789';
const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const coded = (code: string): Error => Object.assign(new Error(code), { code });

/** A content source over a map, with switches for the failure modes containerd has. */
class FakeContent implements PeerContentSource {
  readonly blobs = new Map<string, Buffer>();
  down = false;
  vanishOnRead = false;
  shortBy = 0;

  async info(digest: string): Promise<{ size: number } | undefined> {
    if (this.down) throw coded('UNAVAILABLE');
    const b = this.blobs.get(digest);
    return b && { size: b.length };
  }

  read(digest: string, range: { offset?: number; size?: number } = {}): Readable {
    const b = this.blobs.get(digest);
    if (!b || this.vanishOnRead) return new Readable({ read: (): void => void 0 }).destroy(coded('NOT_FOUND'));
    const start = range.offset ?? 0;
    const end = (range.size === undefined ? b.length : start + range.size) - this.shortBy;
    const part = b.subarray(start, end);
    return Readable.from([part.subarray(0, part.length >> 1), part.subarray(part.length >> 1)]);
  }
}

/** An empty stand-in store: the fallback is only asked when no store holds the digest. */
const emptyStore = { stat: () => undefined, inProgress: () => undefined, follow: () => assert.fail('not held') } as unknown as Pick<FsBlobStore, 'stat' | 'inProgress' | 'follow'>;

describe('peer blob endpoint with a content-store fallback', () => {
  const content = new FakeContent();
  const blob = randomBytes(100_000);
  const digest = sha(blob);
  const seen: number[] = [];
  let server: Server;
  let base: string;
  const get = (d: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Response> =>
    fetch(`${base}/blobs/${d}`, { method, headers: { [CLUSTER_SECRET_HEADER]: secret, ...headers } });

  before(async () => {
    content.blobs.set(digest, blob);
    const handle = createPeerBlobHandler({ sources: [{ store: emptyStore }], fallback: content, clusterSecret: secret, observe: (s) => seen.push(s) });
    server = createServer((req, res) => void handle(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it('serves the whole blob as committed, and a single range', async () => {
    const whole = await get(digest);
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('x-accelerboat-blob-state'), 'committed');
    assert.equal(whole.headers.get('content-length'), String(blob.length));
    assert.ok(Buffer.from(await whole.arrayBuffer()).equals(blob));
    const part = await get(digest, { range: 'bytes=10-2009' });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 10-2009/${blob.length}`);
    assert.ok(Buffer.from(await part.arrayBuffer()).equals(blob.subarray(10, 2010)));
    const tail = await get(digest, { range: `bytes=${blob.length - 5}-` });
    assert.ok(Buffer.from(await tail.arrayBuffer()).equals(blob.subarray(blob.length - 5)));
    const head = await get(digest, {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(blob.length));
  });

  it('answers 404 for unknown content, 416 for a range past the end, 401 without the secret', async () => {
    assert.equal((await get(sha(randomBytes(8)))).status, 404);
    const past = await get(digest, { range: `bytes=${blob.length}-` });
    assert.equal(past.status, 416);
    assert.equal(past.headers.get('content-range'), `bytes */${blob.length}`);
    assert.equal((await fetch(`${base}/blobs/${digest}`)).status, 401);
  });

  it('answers 503 while the content store is unreachable, 404 when the blob vanished before the read', async () => {
    content.down = true;
    const down = await get(digest);
    assert.equal(down.status, 503);
    assert.match(await down.text(), /UNAVAILABLE/);
    content.down = false;
    content.vanishOnRead = true;
    assert.equal((await get(digest)).status, 404);
    content.vanishOnRead = false;
  });

  it('aborts a body that comes up short instead of ending it', async () => {
    content.shortBy = 10;
    const res = await get(digest);
    assert.equal(res.status, 200);
    await assert.rejects(res.arrayBuffer());
    content.shortBy = 0;
    assert.ok(seen.includes(599), `observed ${seen.join(',')}`);
  });
});
