import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createHttpClient, HttpClientConfig } from '@accelerboat/http-client';
import { MANIFEST_MAX_BYTES, ProtocolError } from '@accelerboat/registry-protocol';
import { basicCredential, bearerCredential } from './credential.js';
import { digestOf } from './digest-verify.js';
import { manifestPath } from './paths.js';
import { TokenCache } from './token-cache.js';
import { UpstreamClient } from './upstream-client.js';
import type { RegistrySettings } from './upstream-request.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
interface Fake { host: string; url: string; seen: { method: string; url: string; authorization?: string; body: string }[]; handle: Handler }

async function fake(): Promise<Fake & { server: Server }> {
  const notFound: Handler = (_q, res) => void res.writeHead(404).end();
  const f = { seen: [], handle: notFound } as unknown as Fake & { server: Server };
  f.server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      f.seen.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization, body });
      f.handle(req, res, body);
    });
  });
  await new Promise<void>((r) => f.server.listen(0, '127.0.0.1', r));
  f.host = `127.0.0.1:${(f.server.address() as AddressInfo).port}`;
  f.url = `http://${f.host}`;
  return f;
}

const BLOB = Buffer.from('layer bytes '.repeat(1000));
const BLOB_DIGEST = digestOf(BLOB);
const ALICE = basicCredential('alice', 's3cret');
const ALICE_BASIC = `Basic ${Buffer.from('alice:s3cret').toString('base64')}`;

describe('UpstreamClient (against fake upstreams)', () => {
  let registry: Fake & { server: Server };
  let storage: Fake & { server: Server };
  let realm: Fake & { server: Server };
  const client = (settings: RegistrySettings = {}, config: Partial<HttpClientConfig> = {}) =>
    new UpstreamClient({
      http: createHttpClient(Object.assign(new HttpClientConfig(), config), 'test'),
      tokens: new TokenCache(),
      registries: { [registry.host]: { scheme: 'http', ...settings } },
    });
  before(async () => {
    [registry, storage, realm] = await Promise.all([fake(), fake(), fake()]);
  });
  after(() => [registry, storage, realm].forEach((f) => f.server.close()));

  const basicRegistry = (serve: Handler): Handler => (req, res, body) => {
    if (req.headers.authorization !== ALICE_BASIC) return void res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end();
    serve(req, res, body);
  };

  it('follows a blob redirect to storage without the Authorization header, and verifies the bytes', async () => {
    registry.handle = basicRegistry((_q, res) => res.writeHead(307, { location: `${storage.url}/bucket/blob?sig=1` }).end());
    storage.handle = (_q, res) => res.writeHead(200, { 'content-length': String(BLOB.length) }).end(BLOB);
    storage.seen.length = 0;
    const blob = await client().getBlob(registry.host, 'team/app', BLOB_DIGEST, { credential: ALICE });
    const chunks: Buffer[] = [];
    for await (const c of blob.stream) chunks.push(c as Buffer);
    assert.deepEqual(Buffer.concat(chunks), BLOB);
    assert.deepEqual(storage.seen.map((s) => [s.url, s.authorization]), [['/bucket/blob?sig=1', undefined]]);
    assert.equal(registry.seen.at(-1)!.authorization, ALICE_BASIC);
  });

  it('fails the blob stream when the bytes do not match the digest', async () => {
    registry.handle = (_q, res) => res.writeHead(200, { 'content-length': String(BLOB.length) }).end(Buffer.from(BLOB).fill(0, 0, 1));
    const blob = await client().getBlob(registry.host, 'team/app', BLOB_DIGEST);
    await assert.rejects(async () => {
      for await (const _ of blob.stream) void _;
    }, (e) => ProtocolError.is(e, 'UPSTREAM_ERROR'));
  });

  it('refuses manifests above MANIFEST_MAX_BYTES, declared or streamed', async () => {
    const big = Buffer.alloc(MANIFEST_MAX_BYTES + 1, 32);
    registry.handle = (_q, res) => res.writeHead(200, { 'content-length': String(big.length) }).end(big);
    await assert.rejects(client().getManifest(registry.host, 'team/app', 'v1'), (e) => ProtocolError.is(e, 'UPSTREAM_ERROR'));
    registry.handle = (_q, res) => {
      res.writeHead(200);
      res.write(big.subarray(0, MANIFEST_MAX_BYTES));
      res.end(big.subarray(MANIFEST_MAX_BYTES));
    };
    await assert.rejects(client().getManifest(registry.host, 'team/app', 'v1'), (e) => ProtocolError.is(e, 'UPSTREAM_ERROR'));
  });

  it('refuses a manifest whose bytes do not match Docker-Content-Digest or the requested digest', async () => {
    const bytes = Buffer.from('{"schemaVersion":2}');
    registry.handle = (_q, res) => res.writeHead(200, { 'docker-content-digest': digestOf(Buffer.from('other')) }).end(bytes);
    await assert.rejects(client().getManifest(registry.host, 'team/app', 'v1'), (e) => ProtocolError.is(e, 'UPSTREAM_ERROR'));
    registry.handle = (_q, res) => res.writeHead(200).end(bytes);
    await assert.rejects(client().getManifest(registry.host, 'team/app', digestOf(Buffer.from('other'))), (e) => ProtocolError.is(e, 'UPSTREAM_ERROR'));
    assert.equal((await client().getManifest(registry.host, 'team/app', digestOf(bytes))).digest, digestOf(bytes));
  });

  it('falls back to the OAuth2 POST form when the realm refuses GET with 405, and accepts access_token', async () => {
    const tokenRealm = `${realm.url}/token`;
    registry.handle = (req, res) => {
      if (req.headers.authorization === 'Bearer from-post') return void res.writeHead(200).end('{}');
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${tokenRealm}",service="svc",scope="repository:team/app:pull"` }).end();
    };
    realm.handle = (req, res) => {
      if (req.method !== 'POST') return void res.writeHead(405).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'from-post', expires_in: 120 }));
    };
    realm.seen.length = 0;
    await client().getManifest(registry.host, 'team/app', 'v1', { credential: ALICE });
    assert.deepEqual(realm.seen.map((s) => s.method), ['GET', 'POST']);
    assert.equal(realm.seen[0]!.authorization, ALICE_BASIC);
    const form = new URLSearchParams(realm.seen[1]!.body);
    assert.deepEqual(Object.fromEntries(form), { grant_type: 'password', username: 'alice', password: 's3cret', service: 'svc', scope: 'repository:team/app:pull', client_id: 'accelerboat' });
  });

  it('never follows a token realm redirect (it would re-send the password elsewhere)', async () => {
    registry.handle = (_q, res) => res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm.url}/token"` }).end();
    realm.handle = (_q, res) => res.writeHead(307, { location: `${storage.url}/steal` }).end();
    storage.seen.length = 0;
    await assert.rejects(client({ tokenForm: 'post' }).getManifest(registry.host, 'team/app', 'v1', { credential: ALICE }), (e) => ProtocolError.is(e, 'UPSTREAM_ERROR'));
    assert.equal(storage.seen.length, 0);
  });

  it('refuses a realm on another local host name (SSRF) before sending anything to it', async () => {
    const port = realm.host.split(':')[1];
    registry.handle = (_q, res) => res.writeHead(401, { 'www-authenticate': `Bearer realm="http://localhost:${port}/token"` }).end();
    realm.seen.length = 0;
    await assert.rejects(client().getManifest(registry.host, 'team/app', 'v1', { credential: ALICE }), (e) => ProtocolError.is(e, 'UPSTREAM_ERROR'));
    assert.equal(realm.seen.length, 0);
  });

  it('sends a caller bearer token as it is and maps its refusal to UNAUTHORIZED without a token request', async () => {
    registry.handle = (_q, res) => res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm.url}/token"`, 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED","message":"no"}]}');
    realm.seen.length = 0;
    await assert.rejects(client().getManifest(registry.host, 'team/app', 'v1', { credential: bearerCredential('client-token') }), (e) => ProtocolError.is(e, 'UNAUTHORIZED'));
    assert.equal(registry.seen.at(-1)!.authorization, 'Bearer client-token');
    assert.equal(realm.seen.length, 0);
  });

  it('maps a refused connection to UNAVAILABLE and a silent upstream to TIMEOUT', async () => {
    const closed = await fake();
    closed.server.close();
    const dead = new UpstreamClient({ http: createHttpClient(new HttpClientConfig(), 't'), tokens: new TokenCache(), registries: { [closed.host]: { scheme: 'http' } } });
    await assert.rejects(dead.getManifest(closed.host, 'team/app', 'v1'), (e) => ProtocolError.is(e, 'UNAVAILABLE'));
    registry.handle = () => undefined;
    await assert.rejects(client({}, { responseTimeoutMs: 200 }).getManifest(registry.host, 'team/app', 'v1'), (e) => ProtocolError.is(e, 'TIMEOUT'));
  });

  it('refuses a path of another repository and a malformed Accept item', async () => {
    const c = client();
    await assert.rejects(c.request({ registry: registry.host, repository: 'team/app', method: 'GET', path: manifestPath('other/repo', 'v1') }), (e) => ProtocolError.is(e, 'INVALID_ARGUMENT'));
    await assert.rejects(c.getManifest(registry.host, 'team/app', 'v1', { accept: ['text/html\r\nx-evil: 1'] }), (e) => ProtocolError.is(e, 'INVALID_ARGUMENT'));
    await assert.rejects(c.getManifest(registry.host, '../etc', 'v1'), (e) => ProtocolError.is(e, 'INVALID_ARGUMENT'));
  });
});
