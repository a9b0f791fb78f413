import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { connect, type NatsConnection } from 'nats';
import { Endpoints, ProtocolError, type LocateBlobRequest } from '@accelerboat/registry-protocol';
import { startNatsServer, type NatsServer } from '@accelerboat/testing';
import { NatsRpcClient } from './nats-rpc.client.js';
import { digestOf, MISSING, SECRET, startTestApp, type TestApp } from './test-app.fixture.js';

const isCode = (code: string) => (e: unknown) => ProtocolError.is(e) && e.code === code;

describe('NatsRpcClient', () => {
  let nats: NatsServer;
  let nc: NatsConnection;
  let client: NatsRpcClient;
  let app: TestApp;
  before(async () => {
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url, name: 'rpc-client' });
    client = new NatsRpcClient(nc, { timeoutMs: 2000 });
    app = await startTestApp(nats.url, 'coord-a');
  });
  after(async () => {
    await app?.close();
    await nc?.close();
    await nats?.stop();
  });

  it('round-trips a valid request into a validated response DTO', async () => {
    const res = await client.request(Endpoints.blobLocate, { digest: digestOf('a'), size: 10 });
    assert.equal(res.digest, digestOf('a'));
    assert.equal(res.sources[0]?.kind, 'peer');
    assert.equal(res.sources[0]?.nodeId, 'coord-a');
  });

  it('takes the value of a handler that returns an Observable', async () => {
    const res = await client.request(Endpoints.blobLocate, { digest: digestOf('b'), nodeId: 'observable' });
    assert.equal(res.digest, digestOf('b'));
  });

  it('rebuilds a ProtocolError thrown by the handler with the same code', async () => {
    await assert.rejects(client.request(Endpoints.blobLocate, { digest: MISSING }), (e: unknown) => {
      assert.ok(isCode('NOT_FOUND')(e));
      assert.equal((e as ProtocolError).message, 'no node holds the blob');
      return true;
    });
  });

  it('turns an unexpected handler error into INTERNAL, with the details only in the log', async () => {
    await assert.rejects(client.request(Endpoints.blobLocate, { digest: digestOf('c'), nodeId: 'boom' }), (e: unknown) => {
      assert.ok(isCode('INTERNAL')(e));
      assert.ok(!(e as Error).message.includes(SECRET));
      return true;
    });
    assert.ok(app.logger.lines.some((l) => l.includes(SECRET)));
  });

  it('turns a handler result that breaks the response contract into INTERNAL', async () => {
    await assert.rejects(client.request(Endpoints.blobLocate, { digest: digestOf('d'), nodeId: 'bad-reply' }), isCode('INTERNAL'));
    assert.ok(app.logger.lines.some((l) => l.includes('invalid LocateBlobResponse')));
  });

  it('maps a reply that does not come in time to TIMEOUT', async () => {
    await assert.rejects(client.request(Endpoints.blobLocate, { digest: digestOf('e'), nodeId: 'slow' }, { timeoutMs: 100 }), isCode('TIMEOUT'));
  });

  it('maps no responders, and a closed connection, to UNAVAILABLE', async () => {
    const other = await startNatsServer();
    const lonely = await connect({ servers: other.url });
    try {
      await assert.rejects(new NatsRpcClient(lonely, { timeoutMs: 500 }).request(Endpoints.blobLocate, { digest: digestOf('f') }), isCode('UNAVAILABLE'));
      await lonely.close();
      await assert.rejects(new NatsRpcClient(lonely, { timeoutMs: 500 }).request(Endpoints.blobLocate, { digest: digestOf('f') }), isCode('UNAVAILABLE'));
    } finally {
      if (!lonely.isClosed()) await lonely.close();
      await other.stop();
    }
  });

  it('refuses an invalid request locally, before anything is sent', async () => {
    const before = app.transport.services()[0]!.stats();
    const count = (await before).endpoints?.[0]?.num_requests ?? 0;
    const bad = { digest: 'sha256:abc' } as LocateBlobRequest;
    await assert.rejects(client.request(Endpoints.blobLocate, bad), (e: unknown) => {
      assert.ok(isCode('INVALID_ARGUMENT')(e));
      assert.deepEqual((e as ProtocolError).fields?.map((f) => f.field), ['digest']);
      return true;
    });
    assert.equal((await app.transport.services()[0]!.stats()).endpoints?.[0]?.num_requests, count);
  });

  it('publishes events as plain JSON that @EventPattern handlers receive', async () => {
    client.publishEvent('p2p.events.peer.blacklisted', { nodeId: 'node-x' });
    await nc.flush();
    for (let i = 0; i < 50 && app.events.length === 0; i++) await delay(20);
    assert.deepEqual(app.events, [{ nodeId: 'node-x' }]);
    assert.throws(() => client.publishEvent('p2p.events.>', {}), isCode('INVALID_ARGUMENT'));
  });
});
