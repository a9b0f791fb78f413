import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST, ProtocolError, type ErrorCode, type ManifestQuery } from '@accelerboat/registry-protocol';
import { basic, FakeUpstream, gate, manifestFixture, replicasFixture, sharedFingerprints } from './convergence.fixture.js';
import { ManifestService, mediaTypeOf, type ManifestServiceOptions } from './manifest.service.js';

const REQ: ManifestQuery = { registry: 'registry.example', repository: 'team/app', reference: 'v1', accept: [] };
const OPTIONS: ManifestServiceOptions = { tagTtlMs: 10_000, digestTtlMs: 600_000 };

function setup(options: Partial<ManifestServiceOptions> = {}, n = 2) {
  const { clock, observer, calls } = replicasFixture(n);
  const upstream = new FakeUpstream();
  const services = calls.map((c) => new ManifestService(upstream, c, sharedFingerprints, { ...OPTIONS, ...options }));
  return { clock, observer, upstream, services };
}

describe('ManifestService.get', () => {
  it('returns the exact bytes in base64 with digest, media type and size', async () => {
    const { upstream, services } = setup();
    const m = manifestFixture('{"schemaVersion":2,  "odd spacing":true}', DOCKER_MANIFEST);
    upstream.onManifest = async () => m;
    const got = await services[0]!.get(REQ);
    assert.deepEqual(got, { digest: m.digest, mediaType: DOCKER_MANIFEST, size: m.size, body: m.bytes.toString('base64') });
  });

  it('converges concurrent GETs on two replicas into one upstream GET', async () => {
    const { clock, upstream, services } = setup();
    const g = gate<ReturnType<typeof manifestFixture>>();
    upstream.onManifest = () => g.promise;
    const all = Promise.all(Array.from({ length: 30 }, (_, i) => services[i % 2]!.get(REQ)));
    await clock.advance(20);
    g.open(manifestFixture('{}'));
    await clock.advance(500);
    assert.equal(new Set((await all).map((m) => m.digest)).size, 1);
    assert.equal(upstream.count('get'), 1);
  });

  it('never lets two credentials share an answer, nor a credential and the node', async () => {
    const { upstream, services } = setup();
    await services[0]!.get({ ...REQ, authorization: basic('alice', 'pw') });
    await services[1]!.get({ ...REQ, authorization: basic('bob', 'pw') });
    await services[1]!.get({ ...REQ, authorization: basic('alice', 'other') });
    await services[0]!.get(REQ);
    await services[1]!.get({ ...REQ, authorization: basic('alice', 'pw') });
    assert.equal(upstream.count('get'), 4);
    assert.deepEqual(
      upstream.calls.map((c) => (c.credential?.kind === 'basic' ? c.credential.username : c.credential)),
      ['alice', 'bob', 'alice', undefined],
      'callers without credentials are served as the node (credential undefined), never as ANONYMOUS',
    );
  });

  it('passes the accept list in the client order and keys by that order', async () => {
    const { upstream, services } = setup();
    await services[0]!.get({ ...REQ, accept: [OCI_INDEX, OCI_MANIFEST] });
    await services[1]!.get({ ...REQ, accept: [OCI_INDEX, OCI_MANIFEST] });
    await services[1]!.get({ ...REQ, accept: [OCI_MANIFEST, OCI_INDEX] });
    await services[0]!.get(REQ);
    assert.deepEqual(
      upstream.calls.map((c) => c.accept),
      [[OCI_INDEX, OCI_MANIFEST], [OCI_MANIFEST, OCI_INDEX], undefined],
    );
  });

  it('reuses a tag answer for tagTtlMs and a digest answer for digestTtlMs', async () => {
    const { clock, upstream, services } = setup();
    const byDigest = { ...REQ, reference: manifestFixture('{"tag":"v1"}').digest };
    await services[0]!.get(REQ);
    await services[0]!.get(byDigest);
    await clock.advance(9_999);
    await services[1]!.get(REQ);
    assert.equal(upstream.count('get'), 2);
    await clock.advance(2);
    await services[1]!.get(REQ);
    await services[1]!.get(byDigest);
    assert.equal(upstream.count('get'), 3, 'the tag was fetched again, the digest not');
    await clock.advance(600_000);
    await services[0]!.get(byDigest);
    assert.equal(upstream.count('get'), 4);
  });

  for (const code of ['NOT_FOUND', 'UNAUTHORIZED', 'FORBIDDEN', 'RESOURCE_EXHAUSTED', 'UPSTREAM_ERROR', 'UNAVAILABLE', 'TIMEOUT'] as ErrorCode[]) {
    it(`propagates ${code} from the upstream with its code`, async () => {
      const { observer, upstream, services } = setup();
      upstream.onManifest = async () => {
        throw new ProtocolError(code, `upstream said ${code}`);
      };
      await assert.rejects(services[0]!.get(REQ), (e) => ProtocolError.is(e, code));
      assert.deepEqual(observer.upstream, [`manifest:${code}`]);
    });
  }

  it('answers UNAVAILABLE when the reply would exceed the NATS max_payload, asking the upstream once', async () => {
    let max = 8 * 1024;
    const { upstream, services } = setup({ maxPayloadBytes: () => max });
    upstream.onManifest = async () => manifestFixture(`{"pad":"${'x'.repeat(6000)}"}`);
    await assert.rejects(services[0]!.get(REQ), (e) => ProtocolError.is(e, 'UNAVAILABLE') && /max_payload of 8192/.test(e.message));
    await assert.rejects(services[1]!.get(REQ), (e) => ProtocolError.is(e, 'UNAVAILABLE'));
    max = 1024 * 1024;
    assert.equal((await services[1]!.get(REQ)).size, 6010);
    assert.equal(upstream.count('get'), 1);
  });
});

describe('ManifestService.head', () => {
  it('answers from a HEAD when the registry sends digest, type and length', async () => {
    const { upstream, services } = setup();
    const m = manifestFixture('{}');
    assert.deepEqual(await services[0]!.head(REQ), { digest: manifestFixture('{"tag":"v1"}').digest, mediaType: OCI_MANIFEST, size: 12 });
    upstream.onHead = async () => ({ digest: m.digest, mediaType: OCI_MANIFEST, size: 2 });
    await services[1]!.head({ ...REQ, reference: 'v2' });
    assert.deepEqual([upstream.count('head'), upstream.count('get')], [2, 0]);
  });

  it('falls back to a GET when the HEAD lacks the digest', async () => {
    const { upstream, services } = setup();
    upstream.onHead = async () => ({ mediaType: OCI_MANIFEST, size: 12 });
    assert.equal((await services[0]!.head(REQ)).digest, manifestFixture('{"tag":"v1"}').digest);
    assert.deepEqual([upstream.count('head'), upstream.count('get')], [1, 1]);
  });

  it('refuses a HEAD by digest that the registry answers with another digest', async () => {
    const { upstream, services } = setup();
    upstream.onHead = async () => ({ digest: manifestFixture('other').digest, mediaType: OCI_MANIFEST, size: 5 });
    await assert.rejects(services[0]!.head({ ...REQ, reference: manifestFixture('mine').digest }), (e) => ProtocolError.is(e, 'UPSTREAM_ERROR'));
  });

  it('keeps HEAD and GET answers apart', async () => {
    const { upstream, services } = setup();
    await services[0]!.head(REQ);
    await services[0]!.get(REQ);
    assert.deepEqual([upstream.count('head'), upstream.count('get')], [1, 1]);
  });
});

describe('mediaTypeOf', () => {
  it('prefers a valid Content-Type, then the declared type, then the shape', () => {
    assert.equal(mediaTypeOf({ mediaType: DOCKER_MANIFEST, bytes: Buffer.from('{}') }), DOCKER_MANIFEST);
    assert.equal(mediaTypeOf({ mediaType: 'garbage', bytes: Buffer.from(`{"mediaType":"${OCI_INDEX}"}`) }), OCI_INDEX);
    assert.equal(mediaTypeOf({ bytes: Buffer.from('{"manifests":[]}') }), OCI_INDEX);
    assert.equal(mediaTypeOf({ bytes: Buffer.from('not json') }), OCI_MANIFEST);
  });
});
