import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { connect, StringCodec, type NatsConnection } from 'nats';
import { createHttpClient, HttpClientConfig } from '@accelerboat/http-client';
import { NatsRpcClient } from '@accelerboat/nats-transport';
import { PeerBlobClient, PeerFetchError } from '@accelerboat/peer-http';
import { Endpoints, type AssignJobRequest } from '@accelerboat/registry-protocol';
import { bootstrapService, type RunningService } from '@accelerboat/service-kit';
import { buildImage, freePort, pushImage, startNatsServer, startRegistry, tempDir, type ImageFixture, type NatsServer, type Registry, type TempDir } from '@accelerboat/testing';
import { seederDefinition } from './seeder.definition.js';
import type { seederConfig } from './seeder.config.js';

const sc = StringCodec();
const SECRET = 'seeder-app-int-test-secret';
const SEEDER = 'seeder-t';

/** Records what the seeder sends to the coordinator and the layer-indexer, answering as they do. */
function respond(nc: NatsConnection): Record<'beats' | 'completed' | 'announced', Record<string, unknown>[]> {
  const seen = { beats: [], completed: [], announced: [] } as Record<'beats' | 'completed' | 'announced', Record<string, unknown>[]>;
  const on = (subject: string, into: Record<string, unknown>[] | undefined, reply: (r: Record<string, unknown>) => object): void => {
    nc.subscribe(subject, {
      callback: (_e, m) => {
        const req = JSON.parse(sc.decode(m.data)) as Record<string, unknown>;
        into?.push(req);
        m.respond(sc.encode(JSON.stringify(reply(req))));
      },
    });
  };
  on(Endpoints.seederHeartbeat.subject, seen.beats, () => ({ ok: true }));
  on(Endpoints.jobProgress.subject, undefined, () => ({ ok: true }));
  on(Endpoints.jobComplete.subject, seen.completed, () => ({ ok: true }));
  on(Endpoints.jobFail.subject, undefined, () => ({ ok: true }));
  on(Endpoints.layerAnnounce.subject, seen.announced, (r) => ({ accepted: (r.entries as unknown[]).length }));
  return seen;
}

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the seeder app', () => {
  let registry: Registry;
  let image: ImageFixture;
  let nats: NatsServer;
  let nc: NatsConnection;
  let dir: TempDir;
  let seen: ReturnType<typeof respond>;
  let app: RunningService<typeof seederConfig>;
  const http = createHttpClient(new HttpClientConfig(), 'seeder-app-int-test');

  before(async () => {
    registry = await startRegistry({ auth: 'token', users: { bot: 'b0t-pass' }, anonymousPull: false });
    image = await buildImage({ layers: [1_500_000, 30_000], tag: 'v1' });
    await pushImage(image, { registry: registry.host, repository: 'team/app', tag: 'v1', creds: { username: 'bot', password: 'b0t-pass' } });
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
    seen = respond(nc);
    dir = tempDir('ab-seeder-app-');
    await writeFile(join(dir.path, 'bot.pw'), 'b0t-pass\n');
    const registries = { registries: [{ originalHost: registry.host, scheme: 'http', users: [{ username: 'bot', passwordFile: join(dir.path, 'bot.pw') }] }] };
    await writeFile(join(dir.path, 'registries.json'), JSON.stringify(registries));
    app = await bootstrapService(seederDefinition, {
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(await freePort()),
      INSTANCE_ID: SEEDER,
      NATS_SERVERS: nats.url,
      CLUSTER_SECRET: SECRET,
      SEEDER_DIR: join(dir.path, 'store'),
      REGISTRIES_FILE: join(dir.path, 'registries.json'),
      HEARTBEAT_INTERVAL_MS: '200',
    });
  });
  after(async () => {
    await app?.close();
    await nc?.close();
    await nats?.stop();
    await registry?.stop();
    await image?.remove();
    await dir?.remove();
  });

  it('beats with its real capacity and its peer URL', async () => {
    await until('a heartbeat arrived', () => seen.beats.length > 0);
    assert.deepEqual({ ...seen.beats[0], version: undefined }, { seederId: SEEDER, url: app.url, activeJobs: 0, maxJobs: 4, load: 0, bytesServed: 0, version: undefined });
  });

  it('takes a job over NATS with the configured user, serves the blob to peers, and counts it', async () => {
    const { digest, size } = image.layers[0]!;
    const job: AssignJobRequest = { jobId: 'job-app-1', digest, registry: registry.host, repository: 'team/app', size };
    const rpc = new NatsRpcClient(nc, { timeoutMs: 2000 });
    assert.deepEqual({ ...(await rpc.request(Endpoints.jobAssign, job, { params: { seeder: SEEDER } })) }, { jobId: job.jobId, seederId: SEEDER, accepted: true, url: app.url });
    await until('the job completed', () => seen.completed.length > 0);
    assert.deepEqual(seen.completed[0], { jobId: job.jobId, seederId: SEEDER, digest, size });
    assert.ok(seen.announced.some((a) => (a.entries as { digest: string }[]).some((e) => e.digest === digest)));

    const peers = new PeerBlobClient(http, SECRET);
    const res = await peers.open(app.url, digest);
    assert.ok((await buffer(res.stream)).equals(await readFile(image.blobPath(digest))));
    await assert.rejects(new PeerBlobClient(http, 'not-the-cluster-secret').open(app.url, digest), (e: unknown) => e instanceof PeerFetchError && e.status === 401);
    assert.equal((await fetch(`${app.url}/healthz`)).status, 200, 'other routes still answer');

    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    assert.match(metrics, /p2p_seeder_jobs_total\{outcome="completed",[^}]*\} 1/);
    assert.match(metrics, new RegExp(`p2p_seeder_downloaded_bytes_total\\{[^}]*\\} ${size}`));
    assert.match(metrics, new RegExp(`p2p_seeder_peer_served_bytes_total\\{[^}]*\\} ${size}`));
    assert.match(metrics, /p2p_seeder_store_entries\{[^}]*\} 1/);
  });

  it('refuses a job for a registry its REGISTRIES_FILE does not list', async () => {
    const rpc = new NatsRpcClient(nc, { timeoutMs: 2000 });
    const job: AssignJobRequest = { jobId: 'job-app-2', digest: image.layers[1]!.digest, registry: 'elsewhere.example', repository: 'team/app' };
    const res = await rpc.request(Endpoints.jobAssign, job, { params: { seeder: SEEDER } });
    assert.equal(res.accepted, false);
    assert.match(res.reason ?? '', /not served/);
  });
});
