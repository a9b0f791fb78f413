import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from './errors.js';
import { readRegistriesFile } from './registries-file.js';

describe('readRegistriesFile', () => {
  let dir: string;
  const file = (content: unknown): string => {
    const path = join(dir, 'registries.json');
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  const refuses = (content: unknown, message: RegExp) =>
    assert.throws(() => readRegistriesFile(file(content)), (e: unknown) => e instanceof CliError && message.test(e.message) && e.message.includes('registries.json'));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ab-registries-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives each originalHost its upstream, from the scheme, ignoring what only the apps read', () => {
    const registries = readRegistriesFile(
      file({
        registries: [
          { originalHost: 'docker.io' },
          { originalHost: 'registry.corp.example', users: [{ username: 'puller', passwordFile: '/etc/accelerboat/registry-credentials/corp' }] },
          { originalHost: '10.0.0.9:5000', scheme: 'http' },
          { originalHost: 'ghcr.io', proxyHost: 'ghcr.mirror.corp.example', tlsCertFile: '/tls/ghcr.crt', tlsKeyFile: '/tls/ghcr.key' },
        ],
      }),
    );
    assert.deepEqual(registries, [
      { registry: 'docker.io', upstream: 'https://registry-1.docker.io' },
      { registry: 'registry.corp.example', upstream: 'https://registry.corp.example' },
      { registry: '10.0.0.9:5000', upstream: 'http://10.0.0.9:5000' },
      { registry: 'ghcr.io', upstream: 'https://ghcr.io' },
    ]);
  });

  it('lists a registry once when two spellings share a certs.d directory', () => {
    assert.deepEqual(readRegistriesFile(file({ registries: [{ originalHost: 'docker.io' }, { originalHost: 'registry-1.docker.io' }] })), [
      { registry: 'docker.io', upstream: 'https://registry-1.docker.io' },
    ]);
    refuses({ registries: [{ originalHost: 'docker.io' }, { originalHost: 'Index.Docker.io', scheme: 'http' }] }, /registries\[1\]: Index\.Docker\.io and docker\.io both configure docker\.io/);
  });

  it('accepts an empty list', () => {
    assert.deepEqual(readRegistriesFile(file({ registries: [] })), []);
  });

  it('names the file and the field of what it refuses', () => {
    refuses('{ not json', /not valid JSON/);
    refuses([], /must be an object with a "registries" list/);
    refuses({ mirrors: [] }, /must be an object with a "registries" list/);
    refuses({ registries: ['docker.io'] }, /registries\[0\] must be an object/);
    refuses({ registries: [{ originalHost: 'docker.io' }, {}] }, /registries\[1\]\.originalHost must be a string/);
    refuses({ registries: [{ originalHost: '../../etc' }] }, /registries\[0\]\.originalHost must be a host without a path/);
    refuses({ registries: [{ originalHost: 'https://ghcr.io' }] }, /registries\[0\]\.originalHost must be a host without a scheme/);
    refuses({ registries: [{ originalHost: 'ghcr.io', scheme: 'ftp' }] }, /registries\[0\]\.scheme must be https or http/);
    assert.throws(() => readRegistriesFile(join(dir, 'missing.json')), (e: unknown) => e instanceof CliError && /missing\.json: cannot read it \(ENOENT\)/.test(e.message));
  });
});
