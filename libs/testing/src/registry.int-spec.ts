import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildImage, fetchManifest, pushImage, startRegistry, RegistryClient, parseChallenge, type Registry } from './index.js';

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

describe('startRegistry', () => {
  describe("auth 'none'", () => {
    let reg: Registry;
    before(async () => {
      reg = await startRegistry();
    });
    after(async () => {
      await reg?.stop();
    });

    it('answers GET /v2/ with 200 and the distribution API header', async () => {
      const res = await fetch(`${reg.url}/v2/`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('docker-distribution-api-version'), 'registry/2.0');
      assert.match(reg.host, /^127\.0\.0\.1:\d+$/);
    });

    it('records each request in the parsed access log', async () => {
      reg.clearAccessLog();
      await fetch(`${reg.url}/v2/team/app/manifests/v1?ns=example.com`).then((r) => r.arrayBuffer());
      await fetch(`${reg.url}/v2/team/app/blobs/sha256:${'0'.repeat(64)}`, { method: 'HEAD' });
      const log = await reg.flushAccessLog();
      assert.deepEqual(
        log.map((e) => [e.method, e.kind, e.repository, e.reference, e.status, e.query]),
        [
          ['GET', 'manifest', 'team/app', 'v1', 404, 'ns=example.com'],
          ['HEAD', 'blob', 'team/app', `sha256:${'0'.repeat(64)}`, 404, ''],
        ],
      );
    });
  });

  describe("auth 'htpasswd'", () => {
    let reg: Registry;
    before(async () => {
      reg = await startRegistry({ auth: 'htpasswd', users: { alice: 's3cret', bob: 'hunter2' } });
    });
    after(async () => {
      await reg?.stop();
    });

    it('challenges anonymous callers with 401 Basic', async () => {
      const res = await fetch(`${reg.url}/v2/`);
      assert.equal(res.status, 401);
      assert.equal(parseChallenge(res.headers.get('www-authenticate') ?? '').scheme, 'basic');
    });

    it('accepts every configured user and refuses a wrong password', async () => {
      for (const [u, p] of Object.entries(reg.users)) {
        assert.equal((await fetch(`${reg.url}/v2/`, { headers: { authorization: basic(u, p) } })).status, 200);
      }
      assert.equal((await fetch(`${reg.url}/v2/`, { headers: { authorization: basic('alice', 'nope') } })).status, 401);
    });

    it('takes a push with Basic credentials and refuses one without', async () => {
      const img = await buildImage({ layers: [100, 200] });
      try {
        const creds = { username: 'bob', password: 'hunter2' };
        await pushImage(img, { registry: reg.host, repository: 'basic/app', creds });
        assert.equal((await fetchManifest(reg.host, 'basic/app', 'latest', { creds })).digest, img.manifest.digest);
        await assert.rejects(pushImage(img, { registry: reg.host, repository: 'basic/other' }), /HTTP 401/);
      } finally {
        await img.remove();
      }
    });
  });

  for (const tokenMode of ['kid', 'x5c'] as const) {
    describe(`auth 'token' (${tokenMode})`, () => {
      let reg: Registry;
      before(async () => {
        reg = await startRegistry({ auth: 'token', tokenMode, users: { alice: 's3cret' } });
      });
      after(async () => {
        await reg?.stop();
      });

      it('challenges with 401 Bearer naming the token server realm and service', async () => {
        const res = await fetch(`${reg.url}/v2/`);
        assert.equal(res.status, 401);
        const { scheme, params } = parseChallenge(res.headers.get('www-authenticate') ?? '');
        assert.equal(scheme, 'bearer');
        assert.equal(params.realm, reg.tokenServer!.url);
        assert.equal(params.service, reg.tokenServer!.service);
      });

      it('accepts a token signed by its token server', async () => {
        const client = new RegistryClient(reg.host, { username: 'alice', password: 's3cret' });
        const res = await client.request('/v2/team/app/tags/list', { scope: 'repository:team/app:pull' });
        // 404 NAME_UNKNOWN (not 401) proves the token was accepted: the repository is simply empty.
        assert.equal(res.status, 404);
        assert.match(res.body.toString(), /NAME_UNKNOWN/);
      });
    });
  }
});
