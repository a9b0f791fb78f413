import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { connect, StringCodec, type NatsConnection } from 'nats';
import { startNatsServer, type NatsServer } from './index.js';
import { canConnect } from './ports.js';

describe('startNatsServer', () => {
  let nats: NatsServer;
  let nc: NatsConnection | undefined;
  before(async () => {
    nats = await startNatsServer();
  });
  after(async () => {
    await nc?.close();
    await nats?.stop();
  });

  it('listens on loopback and answers a request/reply round trip', async () => {
    assert.match(nats.url, /^nats:\/\/127\.0\.0\.1:\d+$/);
    nc = await connect({ servers: nats.url });
    const sc = StringCodec();
    const sub = nc.subscribe('echo');
    (async () => {
      for await (const m of sub) m.respond(sc.encode(`echo:${sc.decode(m.data)}`));
    })();
    const reply = await nc.request('echo', sc.encode('hi'), { timeout: 2000 });
    assert.equal(sc.decode(reply.data), 'echo:hi');
  });

  it('serves the monitoring endpoint', async () => {
    const res = await fetch(`${nats.monitorUrl}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  it('stops the server and removes its work dir', async () => {
    const extra = await startNatsServer();
    await extra.stop();
    assert.equal(await canConnect('127.0.0.1', extra.port), false);
    assert.equal(existsSync(extra.dir), false);
    assert.ok(extra.process.exitStatus());
  });
});
