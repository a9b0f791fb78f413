import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { connect, Empty, type Msg, type NatsConnection, type ServiceInfo } from 'nats';
import { Endpoints, ServiceNames } from '@accelerboat/registry-protocol';
import { startNatsServer, type NatsServer } from '@accelerboat/testing';
import { digestOf, SLOW_MS, startTestApp, type TestApp } from './test-app.fixture.js';

const subject = Endpoints.blobLocate.subject;
const enc = (s: string) => new TextEncoder().encode(s);
const json = (m: Msg): Record<string, unknown> => JSON.parse(new TextDecoder().decode(m.data)) as Record<string, unknown>;

async function collect(nc: NatsConnection, subj: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const m of await nc.requestMany(subj, Empty, { maxWait: 500 })) out.push(json(m));
  return out;
}

describe('NatsServiceTransport', () => {
  let nats: NatsServer;
  let nc: NatsConnection;
  let app: TestApp;
  before(async () => {
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url, name: 'test-client' });
    app = await startTestApp(nats.url, 'coord-a');
  });
  after(async () => {
    await app?.close();
    await nc?.close();
    await nats?.stop();
  });

  it('answers a valid request with the plain JSON DTO, no envelope', async () => {
    const reply = await nc.request(subject, enc(JSON.stringify({ digest: digestOf('a') })), { timeout: 2000 });
    assert.equal(reply.headers?.get('Nats-Service-Error-Code') ?? '', '');
    assert.deepEqual(json(reply), { digest: digestOf('a'), sources: [{ kind: 'peer', nodeId: 'coord-a', url: 'http://10.0.0.7:5000' }] });
  });

  it('answers an invalid digest with a 400 service error naming the field, then keeps serving', async () => {
    const bad = await nc.request(subject, enc('{"digest":"sha256:abc"}'), { timeout: 2000 });
    assert.equal(bad.headers?.get('Nats-Service-Error-Code'), '400');
    assert.match(bad.headers?.get('Nats-Service-Error') ?? '', /^INVALID_ARGUMENT: .*digest/);
    const body = json(bad) as { error: { code: string; fields: { field: string }[] } };
    assert.equal(body.error.code, 'INVALID_ARGUMENT');
    assert.deepEqual(body.error.fields.map((f) => f.field), ['digest']);
    const good = await nc.request(subject, enc(JSON.stringify({ digest: digestOf('b') })), { timeout: 2000 });
    assert.equal(json(good).digest, digestOf('b'));
  });

  it('answers garbage bytes and non-objects with 400, then keeps serving', async () => {
    for (const payload of [Uint8Array.from([0xde, 0xad, 0xbe, 0xef]), enc('not json'), enc('[1,2]'), enc('null'), Empty]) {
      const reply = await nc.request(subject, payload, { timeout: 2000 });
      assert.equal(reply.headers?.get('Nats-Service-Error-Code'), '400');
    }
    const good = await nc.request(subject, enc(JSON.stringify({ digest: digestOf('c') })), { timeout: 2000 });
    assert.equal(json(good).digest, digestOf('c'));
  });

  it('rejects unknown fields, so typos in an operator request are reported', async () => {
    const reply = await nc.request(subject, enc(JSON.stringify({ digest: digestOf('a'), digset: 'x' })), { timeout: 2000 });
    assert.equal(reply.headers?.get('Nats-Service-Error-Code'), '400');
    assert.match(reply.headers?.get('Nats-Service-Error') ?? '', /digset/);
  });

  it('answers $SRV.PING and $SRV.INFO with the service, its instance and its endpoints', async () => {
    const pings = await collect(nc, '$SRV.PING');
    const ping = pings.find((p) => p.name === ServiceNames.coordinator);
    assert.equal(ping?.type, 'io.nats.micro.v1.ping_response');
    assert.equal(ping?.version, '0.1.0');
    assert.deepEqual(ping?.metadata, { instance: 'coord-a' });

    const infos = (await collect(nc, `$SRV.INFO.${ServiceNames.coordinator}`)) as unknown as ServiceInfo[];
    assert.equal(infos.length, 1);
    assert.equal(infos[0]?.description, 'test coordinator');
    assert.deepEqual(infos[0]?.endpoints, [
      {
        name: 'blob-locate',
        subject: 'p2p.coordinator.blob.locate.v1',
        queue_group: ServiceNames.coordinator,
        metadata: { description: Endpoints.blobLocate.description },
      },
    ]);
    assert.deepEqual(app.transport.services().map((s) => s.info().name), [ServiceNames.coordinator]);
  });

  it('counts requests in $SRV.STATS', async () => {
    const [stats] = await collect(nc, `$SRV.STATS.${ServiceNames.coordinator}`);
    const endpoints = stats?.endpoints as { name: string; num_requests: number }[];
    assert.equal(endpoints[0]?.name, 'blob-locate');
    assert.ok(endpoints[0]!.num_requests > 0);
  });

  it('delivers events to @EventPattern handlers and drops garbage or failing events without stopping', async () => {
    nc.publish('p2p.events.job.assigned', enc('{"jobId":"j1"}'));
    nc.publish('p2p.events.job.assigned', enc('}{ not json'));
    nc.publish('p2p.events.job.assigned', enc('{"explode":true}'));
    nc.publish('p2p.events.layer.located', enc('{"jobId":"j2"}'));
    await nc.flush();
    for (let i = 0; i < 50 && app.events.length < 2; i++) await delay(20);
    assert.deepEqual(app.events, [{ jobId: 'j1' }, { jobId: 'j2' }]);
    assert.ok(app.logger.lines.some((l) => l.includes('dropped an event')));
    assert.ok(app.logger.lines.some((l) => l.includes('event handler failure')));
  });

  it('shares requests between two replicas in the same queue group', async () => {
    const b = await startTestApp(nats.url, 'coord-b');
    try {
      const seen = new Map<string, number>();
      for (let i = 0; i < 20; i++) {
        const reply = await nc.request(subject, enc(JSON.stringify({ digest: digestOf('d') })), { timeout: 2000 });
        const node = ((json(reply).sources as { nodeId: string }[])[0]?.nodeId) ?? '';
        seen.set(node, (seen.get(node) ?? 0) + 1);
      }
      assert.ok((seen.get('coord-a') ?? 0) > 0, JSON.stringify([...seen]));
      assert.ok((seen.get('coord-b') ?? 0) > 0, JSON.stringify([...seen]));
      const pings = (await collect(nc, `$SRV.PING.${ServiceNames.coordinator}`)).map((p) => (p.metadata as { instance: string }).instance);
      assert.deepEqual(pings.sort(), ['coord-a', 'coord-b']);
    } finally {
      await b.close();
    }
  });

  it('fails at listen when a @MessagePattern is not an endpoint subject', async () => {
    await assert.rejects(startTestApp(nats.url, 'stray', { stray: true }), /coord\.lookup.*not the subject of any endpoint/);
  });

  it("fails at listen when a handler serves another service's endpoint", async () => {
    await assert.rejects(startTestApp(nats.url, 'seeder-1', { transport: { service: ServiceNames.seeder } }), /belongs to service master-coordinator/);
  });

  it('close() lets an in-flight request finish, then drains the connection', async () => {
    const c = await startTestApp(nats.url, 'coord-c');
    // Stop the shared replica so the slow request surely lands on the one being closed.
    await app.close();
    const started = Date.now();
    const pending = nc.request(subject, enc(JSON.stringify({ digest: digestOf('e'), nodeId: 'slow' })), { timeout: 5000 });
    await delay(100);
    const closing = c.app.close();
    const reply = await pending;
    await closing;
    assert.equal(json(reply).digest, digestOf('e'));
    assert.ok(Date.now() - started >= SLOW_MS - 20);
    assert.equal(c.nc.isClosed(), true);
    await assert.rejects(nc.request(subject, enc(JSON.stringify({ digest: digestOf('e') })), { timeout: 500 }), /503|no responders/i);
  });
});
