import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buffer } from 'node:stream/consumers';
import { connect, type NatsConnection } from 'nats';
import type { FsBlobStore } from '@accelerboat/blob-store';
import { CoordinatorClient } from '@accelerboat/coordination';
import { createHttpClient, HttpClientConfig } from '@accelerboat/http-client';
import { LayerIndexerClient } from '@accelerboat/layer-index';
import { loadRegistries } from '@accelerboat/mirror';
import { NatsRpcClient } from '@accelerboat/nats-transport';
import { createPeerBlobHandler, PeerBlobClient } from '@accelerboat/peer-http';
import { TokenCache, UpstreamClient } from '@accelerboat/registry-client';
import { buildImage, pushImage, startNatsServer, startRegistry, type ImageFixture, type NatsServer, type Registry } from '@accelerboat/testing';
import { GatedSource, RecordingResponders } from './control-plane.fixture.js';
import { JobRunner } from './job-runner.js';
import type { BlobSource } from './ports.js';
import { jobFixture, tempStore, until } from './seeding.fixture.js';
import { registrySettingsOf, UpstreamBlobSource } from './upstream-blob-source.js';

const SECRET = 'int-test-cluster-secret-0123';
const REPO = 'team/private';
const basic = (user: string, pass: string): string => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe('JobRunner against a token-auth registry and a real NATS', () => {
  let registry: Registry;
  let image: ImageFixture;
  let nats: NatsServer;
  let nc: NatsConnection;
  let plane: RecordingResponders;
  let store: FsBlobStore;
  let removeStore: () => Promise<void>;
  let server: Server;
  let publicUrl: string;
  let gated: GatedSource;
  let source: UpstreamBlobSource;
  let runner: JobRunner;
  const http = createHttpClient(new HttpClientConfig(), 'accelerboat-seeding-int-test');

  const makeRunner = (maxJobs: number, src: BlobSource = gated): JobRunner =>
    new JobRunner({
      seederId: 'seeder-1',
      publicUrl,
      maxJobs,
      store,
      source: src,
      reporter: new CoordinatorClient(new NatsRpcClient(nc, { timeoutMs: 2000 })),
      announcer: new LayerIndexerClient(new NatsRpcClient(nc, { timeoutMs: 2000 })),
      progressIntervalMs: 50,
    });
  const layer = (i: number) => image.layers[i]!;
  const upstreamBlobGets = async (digest: string) =>
    (await registry.flushAccessLog()).filter((e) => e.method === 'GET' && e.kind === 'blob' && e.reference === digest && e.status === 200).length;

  before(async () => {
    registry = await startRegistry({ auth: 'token', users: { alice: 's3cret' }, anonymousPull: false });
    image = await buildImage({ layers: [3_000_000, 200_000, 50_000], tag: 'v1' });
    await pushImage(image, { registry: registry.host, repository: REPO, tag: 'v1', creds: { username: 'alice', password: 's3cret' } });
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url, name: 'seeding-int-test' });
    plane = new RecordingResponders(nc);
    ({ store, remove: removeStore } = await tempStore());
    const handle = createPeerBlobHandler({ sources: [{ store }], clusterSecret: SECRET });
    server = createServer((req, res) => void handle(req, res).then((owned) => owned || res.writeHead(404).end()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    publicUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // The registry is configured without users: jobs must bring their own credential.
    const mappings = loadRegistries(undefined, JSON.stringify({ registries: [{ originalHost: registry.host, scheme: 'http' }] }));
    const client = new UpstreamClient({ http, tokens: new TokenCache(), registries: registrySettingsOf(mappings) });
    source = new UpstreamBlobSource(client, mappings, { allowAnyRegistry: false });
    gated = new GatedSource(source, 64 * 1024);
  });
  afterEach(async () => {
    gated.release();
    await runner?.close();
    void gated.close();
    plane.clear();
    registry.clearAccessLog();
  });
  after(async () => {
    server?.close();
    await removeStore?.();
    plane?.close();
    await nc?.close();
    await nats?.stop();
    await registry?.stop();
    await image?.remove();
  });

  it('downloads a private blob, serves it to a peer while it lands, then announces and completes', async () => {
    runner = makeRunner(2);
    const { digest, size } = layer(0);
    const job = jobFixture(digest, { registry: registry.host, repository: REPO, size, authorization: basic('alice', 's3cret') });
    assert.deepEqual(runner.assign(job), { jobId: job.jobId, seederId: 'seeder-1', accepted: true, url: publicUrl });
    await until('the first bytes landed', () => (store.inProgress(digest)?.bytesWritten ?? 0) > 0, 10_000);
    const peer = await new PeerBlobClient(http, SECRET).open(publicUrl, digest);
    assert.equal(peer.state, 'in-progress');
    assert.equal(peer.size, size);
    const body = buffer(peer.stream);
    await until('progress reached the coordinator', () => plane.progress.some((p) => p.jobId === job.jobId && p.bytes > 0), 10_000);
    gated.release();
    await runner.idle();
    const expected = await readFile(image.blobPath(digest));
    assert.ok((await body).equals(expected), 'the peer got the exact bytes');
    assert.equal(store.stat(digest)?.size, size);
    assert.deepEqual(plane.completed, [{ jobId: job.jobId, seederId: 'seeder-1', digest, size }]);
    assert.deepEqual(plane.announced, [{ nodeId: 'seeder-1', url: publicUrl, entries: [{ digest, size, source: 'seeder' }] }]);
    assert.deepEqual(plane.failed, []);
    assert.ok(plane.progress.every((p) => p.total === size && p.bytes <= size));
    assert.equal(await upstreamBlobGets(digest), 1);
  });

  it('joins a second assignment of a blob being downloaded instead of fetching it twice', async () => {
    runner = makeRunner(2);
    const { digest, size } = layer(1);
    const a = jobFixture(digest, { registry: registry.host, repository: REPO, authorization: basic('alice', 's3cret') });
    const b = jobFixture(digest, { registry: registry.host, repository: REPO, authorization: basic('alice', 's3cret') });
    assert.equal(runner.assign(a).accepted, true);
    await until('the download is under way', () => (store.inProgress(digest)?.bytesWritten ?? 0) > 0, 10_000);
    assert.equal(runner.assign(b).accepted, true);
    assert.equal(runner.load().activeJobs, 1);
    gated.release();
    await runner.idle();
    assert.equal(await upstreamBlobGets(digest), 1);
    assert.deepEqual(plane.completed.map((c) => [c.jobId, c.size]).sort(), [[a.jobId, size], [b.jobId, size]].sort());
    assert.equal(store.stat(digest)?.size, size);
  });

  it('reports a failure and stores nothing for a digest the upstream does not have', async () => {
    runner = makeRunner(2);
    const missing = `sha256:${'0'.repeat(64)}`;
    const job = jobFixture(missing, { registry: registry.host, repository: REPO, authorization: basic('alice', 's3cret') });
    assert.equal(runner.assign(job).accepted, true);
    await runner.idle();
    assert.equal(plane.failed.length, 1);
    assert.equal(plane.failed[0]!.jobId, job.jobId);
    assert.match(plane.failed[0]!.reason, /^NOT_FOUND: /);
    assert.equal(store.stat(missing), undefined);
    assert.equal(store.inProgress(missing), undefined);
    assert.deepEqual(plane.completed, []);
    assert.equal(runner.load().activeJobs, 0);
  });

  it('reports a failure without the password for bad credentials, and stores nothing', async () => {
    runner = makeRunner(2);
    const { digest } = layer(2);
    const job = jobFixture(digest, { registry: registry.host, repository: REPO, authorization: basic('alice', 'wrong-password') });
    runner.assign(job);
    await runner.idle();
    assert.equal(plane.failed.length, 1);
    assert.match(plane.failed[0]!.reason, /^(UNAUTHORIZED|FORBIDDEN): /);
    assert.ok(!plane.failed[0]!.reason.includes('wrong-password'));
    assert.equal(store.stat(digest), undefined);
    assert.equal(store.inProgress(digest), undefined);
  });

  it('refuses a job as busy while every slot downloads', async () => {
    runner = makeRunner(1);
    const { digest } = layer(2);
    const running = jobFixture(digest, { registry: registry.host, repository: REPO, authorization: basic('alice', 's3cret') });
    assert.equal(runner.assign(running).accepted, true);
    const other = jobFixture(`sha256:${'1'.repeat(64)}`, { registry: registry.host, repository: REPO });
    assert.deepEqual(runner.assign(other), { jobId: other.jobId, seederId: 'seeder-1', accepted: false, url: publicUrl, reason: 'busy' });
    assert.deepEqual(runner.load(), { activeJobs: 1, maxJobs: 1, load: 1 });
    gated.release();
    await runner.idle();
    assert.equal(plane.completed.length, 1);
  });

  it("fetches with the registry's configured users when the job brings no credential", async () => {
    const mappings = loadRegistries(undefined, JSON.stringify({ registries: [{ originalHost: registry.host, scheme: 'http', users: [{ username: 'alice', password: 's3cret' }] }] }));
    const configured = new UpstreamBlobSource(new UpstreamClient({ http, tokens: new TokenCache(), registries: registrySettingsOf(mappings) }), mappings, { allowAnyRegistry: false });
    runner = makeRunner(1, configured);
    const { digest, size } = image.config;
    runner.assign(jobFixture(digest, { registry: registry.host, repository: REPO }));
    await runner.idle();
    assert.deepEqual(plane.failed, []);
    assert.equal(plane.completed[0]?.size, size);
    assert.equal(store.stat(digest)?.size, size);
  });
});
