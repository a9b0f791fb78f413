import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HOSTILE_STRINGS, NON_STRINGS } from '../testing/fixtures.js';
import { InvalidReferenceError } from './reference.js';
import { DOCKER_HUB_REGISTRY, isRegistryHost, normalizeRegistryHost, registryHostProblem } from './registry-host.js';

describe('isRegistryHost', () => {
  it('accepts DNS names, IPv4 and bracketed IPv6, with or without a port', () => {
    for (const host of ['docker.io', 'ghcr.io', 'registry-1.docker.io', 'localhost', 'localhost:5000', 'harbor.svc.cluster.local:8443', '10.0.0.5', '10.0.0.5:5000', '[::1]', '[fd00::1]:443', '[::ffff:10.0.0.1]:5000', 'Quay.IO']) {
      assert.ok(isRegistryHost(host), host);
    }
  });

  it('rejects schemes, paths and credentials', () => {
    assert.equal(registryHostProblem('https://ghcr.io'), 'must be a host without a scheme');
    assert.equal(registryHostProblem('ghcr.io/v2'), 'must be a host without a path');
    assert.equal(registryHostProblem('user:pw@ghcr.io'), 'must be a host without credentials');
    assert.equal(isRegistryHost('ghcr.io/'), false);
    assert.equal(isRegistryHost('../ghcr.io'), false);
  });

  it('rejects bad ports', () => {
    for (const host of ['ghcr.io:', 'ghcr.io:0', 'ghcr.io:65536', 'ghcr.io:080', 'ghcr.io:http', 'ghcr.io:5000:1', '[::1]:', '[::1]:99999']) {
      assert.equal(isRegistryHost(host), false, host);
    }
  });

  it('rejects numeric hosts that are not plain dotted quads, which URL parsers would read as IPs', () => {
    for (const host of ['999.1.1.1', '1.2.3', '0x7f.1', '127.1', '010.0.0.1', '1.2.3.4.5', 'registry.123']) {
      assert.equal(isRegistryHost(host), false, host);
    }
  });

  it('rejects unbracketed or malformed IPv6 and zone ids', () => {
    for (const host of ['::1', 'fd00::1', '[fd00::1', '[1:2:3:4:5:6:7:8:9]', '[1::2::3]', '[::1%eth0]', '[g::1]', '[]', '[1.2.3.4::]']) {
      assert.equal(isRegistryHost(host), false, host);
    }
  });

  it('rejects empty labels, edge hyphens, trailing dots, underscores and long labels', () => {
    for (const host of ['.io', 'a..io', '-a.io', 'a-.io', 'ghcr.io.', 'my_reg.io', `${'a'.repeat(64)}.io`]) {
      assert.equal(isRegistryHost(host), false, host);
    }
    assert.ok(isRegistryHost(`${'a'.repeat(63)}.io`));
  });

  it('rejects hosts longer than 253 characters', () => {
    const long = Array.from({ length: 5 }, () => 'a'.repeat(63)).join('.');
    assert.equal(registryHostProblem(long), 'must be at most 253 characters');
  });

  it('rejects hostile strings and non-strings', () => {
    for (const bad of HOSTILE_STRINGS) assert.equal(isRegistryHost(bad), false, JSON.stringify(bad));
    for (const bad of ['ghcr.io\u0000', 'ghcr.io\r\n', 'ghcr .io', 'ghсr.io', 'ghcr%2eio']) assert.equal(isRegistryHost(bad), false, bad);
    for (const bad of NON_STRINGS) assert.equal(isRegistryHost(bad), false);
  });
});

describe('normalizeRegistryHost', () => {
  it("maps containerd's ?ns=docker.io and the other Docker Hub aliases to registry-1.docker.io", () => {
    assert.equal(normalizeRegistryHost('docker.io'), DOCKER_HUB_REGISTRY);
    assert.equal(normalizeRegistryHost('index.docker.io'), 'registry-1.docker.io');
    assert.equal(normalizeRegistryHost('Docker.IO'), 'registry-1.docker.io');
  });

  it('lowercases other hosts and is idempotent', () => {
    assert.equal(normalizeRegistryHost('GHCR.io:443'), 'ghcr.io:443');
    for (const host of ['docker.io', 'ghcr.io', '[FD00::1]:5000']) {
      assert.equal(normalizeRegistryHost(normalizeRegistryHost(host)), normalizeRegistryHost(host));
    }
  });

  it('throws InvalidReferenceError for anything that is not a host', () => {
    for (const bad of ['', 'https://docker.io', 'docker.io/library', 42]) {
      assert.throws(() => normalizeRegistryHost(bad), InvalidReferenceError);
    }
  });
});
