import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtocolError } from '@accelerboat/registry-protocol';
import { checkRealm, isLocalHost, mayReceiveCredentials, type RegistryEndpoint } from './realm.js';

const hub: RegistryEndpoint = { host: 'registry-1.docker.io', scheme: 'https' };
const lan: RegistryEndpoint = { host: '10.0.0.5:5000', scheme: 'http' };
const local: RegistryEndpoint = { host: '127.0.0.1:5000', scheme: 'http' };
const may = (realm: string, reg: RegistryEndpoint) => mayReceiveCredentials(checkRealm(realm, reg), reg);

describe('checkRealm', () => {
  it('accepts absolute http(s) realms', () => {
    assert.equal(checkRealm('https://auth.docker.io/token', hub).host, 'auth.docker.io');
    assert.equal(checkRealm('http://127.0.0.1:5003/token', local).port, '5003');
  });

  it('refuses missing, relative, non-http, user-info and over-long realms', () => {
    for (const realm of [undefined, '', '/token', 'ftp://a/t', 'file:///etc/passwd', 'javascript:alert(1)', 'https://u:p@auth/t', `https://a/${'x'.repeat(3000)}`]) {
      assert.throws(() => checkRealm(realm, hub), (e) => ProtocolError.is(e, 'UPSTREAM_ERROR'), String(realm));
    }
  });

  it('refuses realms on this node or the metadata service unless the registry is on that host', () => {
    for (const realm of ['http://127.0.0.1/t', 'http://localhost:8080/t', 'http://169.254.169.254/latest/meta-data/', 'http://[::1]/t', 'http://0.0.0.0/t', 'http://[::ffff:127.0.0.1]/t', 'http://metadata.google.internal/t', 'http://2130706433/t']) {
      assert.throws(() => checkRealm(realm, hub), (e) => ProtocolError.is(e, 'UPSTREAM_ERROR'), realm);
    }
    assert.doesNotThrow(() => checkRealm('http://127.0.0.1:9999/t', local));
  });
});

describe('mayReceiveCredentials', () => {
  it('sends credentials to https realms on any host (Docker Hub, GHCR)', () => {
    assert.equal(may('https://auth.docker.io/token', hub), true);
    assert.equal(may('https://other.example/token', lan), true);
  });

  it('never downgrades an https registry to an http realm, even on its own host', () => {
    assert.equal(may('http://registry-1.docker.io/token', hub), false);
    assert.equal(may('http://auth.docker.io/token', hub), false);
  });

  it('allows an http realm only on the host of an http registry', () => {
    assert.equal(may('http://10.0.0.5:5001/token', lan), true);
    assert.equal(may('http://10.0.0.6/token', lan), false);
    assert.equal(may('http://127.0.0.1:5003/token', local), true);
  });

  it('honours a realm-host pin on top of the rules', () => {
    const pinned = { ...hub, realmHosts: ['auth.docker.io'] };
    assert.equal(may('https://auth.docker.io/token', pinned), true);
    assert.equal(may('https://evil.example/token', pinned), false);
  });

  it('knows local host names', () => {
    assert.equal(isLocalHost('127.9.9.9'), true);
    assert.equal(isLocalHost('[fe80::1]'), true);
    assert.equal(isLocalHost('a.localhost'), true);
    assert.equal(isLocalHost('10.0.0.5'), false);
    assert.equal(isLocalHost('ghcr.io'), false);
  });
});
