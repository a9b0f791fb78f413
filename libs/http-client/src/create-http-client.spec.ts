import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { HttpClientConfig } from './http-client.config.js';
import { createHttpClient } from './create-http-client.js';

describe('createHttpClient', () => {
  let origin: Server;
  let proxy: Server;
  const seenByProxy: string[] = [];
  before(async () => {
    origin = createServer((req, res) => res.end(`origin saw ${req.url}`));
    // hpagent tunnels through CONNECT; this proxy records the target and tunnels every
    // connection to the local origin, so a name that resolves nowhere still answers.
    proxy = createServer();
    proxy.on('connect', (req, client: Socket) => {
      seenByProxy.push(req.url ?? '');
      const upstream = connect((origin.address() as AddressInfo).port, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(client).pipe(upstream);
      });
    });
    await Promise.all([new Promise<void>((r) => origin.listen(0, '127.0.0.1', r)), new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r))]);
  });
  after(() => {
    origin.close();
    proxy.close();
  });

  it('verifies TLS by default', () => {
    assert.equal(new HttpClientConfig().tlsVerify, true);
  });

  it('goes straight to the origin without a proxy and returns error statuses instead of throwing', async () => {
    const http = createHttpClient(new HttpClientConfig(), 'test');
    const res = await http(`http://127.0.0.1:${(origin.address() as AddressInfo).port}/v2/`);
    assert.equal(res.body, 'origin saw /v2/');
  });

  it('sends every request through the configured egress proxy', async () => {
    const cfg = Object.assign(new HttpClientConfig(), { httpProxy: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
    const http = createHttpClient(cfg, 'test');
    const res = await http('http://registry.invalid/v2/');
    assert.equal(res.body, 'origin saw /v2/');
    assert.deepEqual(seenByProxy, ['registry.invalid:80']);
  });
});
