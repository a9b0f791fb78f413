import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { loadRegistries } from '@accelerboat/mirror';
import type { BasicCredential, BlobStream, Credential } from '@accelerboat/registry-client';
import { registrySettingsOf, UpstreamBlobSource } from './upstream-blob-source.js';

const digest = `sha256:${'a'.repeat(64)}`;

function fakeClient(reply: Partial<BlobStream> = {}) {
  const calls: { registry: string; repository: string; digest: string; credential?: Credential }[] = [];
  return {
    calls,
    async getBlob(registry: string, repository: string, d: string, options: { credential?: Credential } = {}): Promise<BlobStream> {
      calls.push({ registry, repository, digest: d, ...(options.credential ? { credential: options.credential } : {}) });
      return { status: 200, partial: false, stream: Readable.from([Buffer.from('x')]), digest: d, size: 1, totalSize: 1, ...reply };
    },
  };
}

const mappings = () => loadRegistries(undefined, JSON.stringify({ registries: [{ originalHost: 'Registry.Example:5000', scheme: 'http' }] }));

describe('UpstreamBlobSource', () => {
  it('serves configured registries only, unless any registry is allowed', () => {
    const strict = new UpstreamBlobSource(fakeClient(), mappings(), { allowAnyRegistry: false });
    assert.equal(strict.serves('registry.example:5000'), true);
    assert.equal(strict.serves('elsewhere.example'), false);
    assert.equal(strict.serves('not a host'), false);
    assert.equal(new UpstreamBlobSource(fakeClient(), [], { allowAnyRegistry: true }).serves('elsewhere.example'), true);
  });

  it("fetches with the job's authorization as credential, and with none when the job has none", async () => {
    const client = fakeClient();
    const source = new UpstreamBlobSource(client, mappings(), { allowAnyRegistry: false });
    const body = await source.open({ registry: 'registry.example:5000', repository: 'team/app', digest, authorization: `Basic ${Buffer.from('alice:pw').toString('base64')}` });
    assert.equal(body.size, 1);
    body.stream.destroy();
    await source.open({ registry: 'registry.example:5000', repository: 'team/app', digest });
    assert.equal(client.calls[0]!.credential?.kind, 'basic');
    assert.equal((client.calls[0]!.credential as BasicCredential).username, 'alice');
    assert.equal(client.calls[1]!.credential, undefined, 'the client then tries anonymous and the configured users');
  });

  it('refuses a partial answer to a whole-blob request', async () => {
    const source = new UpstreamBlobSource(fakeClient({ status: 206, partial: true }), mappings(), { allowAnyRegistry: false });
    await assert.rejects(source.open({ registry: 'registry.example:5000', repository: 'team/app', digest }), /partial body/);
  });
});

describe('registrySettingsOf', () => {
  it('gives each mapping its scheme and users, reading password files on every use', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seeding-pw-'));
    try {
      const file = join(dir, 'pw');
      writeFileSync(file, 'first\n');
      const regs = loadRegistries(undefined, JSON.stringify({ registries: [{ originalHost: 'r.example', users: [{ username: 'bot', passwordFile: file }] }] }));
      const settings = registrySettingsOf(regs)['r.example']!;
      assert.equal(settings.scheme, 'https');
      assert.equal((settings.credentials![0] as BasicCredential).password, 'first');
      writeFileSync(file, 'rotated\n');
      assert.equal((settings.credentials![0] as BasicCredential).password, 'rotated');
      assert.ok(!JSON.stringify(settings.credentials).includes('rotated'), 'credentials stay redacted');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
