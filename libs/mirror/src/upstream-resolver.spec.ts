import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadRegistries } from './registry-mapping.js';
import { UpstreamResolver } from './upstream-resolver.js';
import { OciError } from './oci-error.js';

const mappings = loadRegistries(
  undefined,
  JSON.stringify({
    registries: [
      { originalHost: 'docker.io', users: [{ username: 'bot', password: 'x' }] },
      { originalHost: 'ghcr.io', proxyHost: 'ghcr.mirror.internal:8443', tlsCertFile: '/c', tlsKeyFile: '/k' },
      { originalHost: '127.0.0.1:5000', scheme: 'http' },
    ],
  }),
);

describe('UpstreamResolver.resolve', () => {
  const r = new UpstreamResolver(mappings, { allowAny: false });

  it('maps containerd ?ns=docker.io to registry-1.docker.io', () => {
    assert.equal(r.resolve({ ns: 'docker.io' }).originalHost, 'registry-1.docker.io');
    assert.equal(r.resolve({ ns: '127.0.0.1:5000' }).scheme, 'http');
  });

  it('maps a custom domain (with or without port) to its original host', () => {
    assert.equal(r.resolve({ host: 'GHCR.mirror.internal:8443' }).originalHost, 'ghcr.io');
    assert.equal(r.resolve({ host: 'ghcr.mirror.internal' }).originalHost, 'ghcr.io');
  });

  it('refuses unconfigured registries unless any are allowed, and garbage always', () => {
    assert.throws(() => r.resolve({ ns: 'evil.example' }), (e: unknown) => e instanceof OciError && e.status === 403);
    assert.throws(() => r.resolve({ ns: 'http://x/y' }), (e: unknown) => e instanceof OciError && e.code === 'NAME_INVALID');
    assert.throws(() => r.resolve({ host: 'unknown' }), (e: unknown) => e instanceof OciError && e.status === 404);
    const open = new UpstreamResolver(mappings, { allowAny: true });
    assert.equal(open.resolve({ ns: 'quay.io' }).originalHost, 'quay.io');
  });
});

describe('loadRegistries', () => {
  it('names the bad field and never echoes a value', () => {
    assert.throws(
      () => loadRegistries(undefined, JSON.stringify({ registries: [{ originalHost: 'bad host!', scheme: 'ftp', users: [{ password: 'sekrit' }] }] })),
      (e: unknown) => {
        const msg = (e as Error).message;
        assert.match(msg, /registries\.0\.originalHost/);
        assert.match(msg, /registries\.0\.scheme/);
        assert.match(msg, /registries\.0\.users\.0\.username/);
        assert.ok(!msg.includes('sekrit'));
        return true;
      },
    );
  });
});
