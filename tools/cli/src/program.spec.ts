import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authorizationFrom } from './credentials.js';
import { CliError } from './errors.js';
import type { Io } from './io.js';
import { run } from './program.js';

function capture(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), isTTY: false, stream: process.stdout };
}

const cli = (args: string[], io = capture(), env: NodeJS.ProcessEnv = {}) => run(['node', 'accelerboat', ...args], { io, env }).then((code) => ({ code, io }));

describe('accelerboat (no cluster needed)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ab-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('installs and uninstalls a containerd hosts.toml, with --json results', async () => {
    const install = await cli(['containerd-config', 'install', '--registry', 'ghcr.io', '--dir', dir, '--json']);
    assert.equal(install.code, 0, install.io.stderr.join('\n'));
    const change = JSON.parse(install.io.stdout.join('\n')) as { path: string; changed: boolean };
    assert.deepEqual(change, { action: 'install', path: join(dir, 'ghcr.io', 'hosts.toml'), changed: true, summary: `wrote ${join(dir, 'ghcr.io', 'hosts.toml')}` });
    assert.match(readFileSync(change.path, 'utf8'), /\[host\."http:\/\/127\.0\.0\.1:5080"\]/);
    const removed = await cli(['containerd-config', 'uninstall', '--registry', 'ghcr.io', '--dir', dir]);
    assert.deepEqual([removed.code, removed.io.stdout], [0, [`removed ${change.path}`]]);
    assert.equal(existsSync(change.path), false);
  });

  it('installs one hosts.toml per registry of a registries file, keeps what was there, and undoes it', async () => {
    const file = join(dir, 'registries.json');
    writeFileSync(file, JSON.stringify({ registries: [{ originalHost: 'docker.io' }, { originalHost: 'registry.corp.example', users: [{ username: 'u', passwordFile: '/x' }] }, { originalHost: '10.0.0.9:5000', scheme: 'http' }] }));
    const certs = join(dir, 'certs.d');
    mkdirSync(join(certs, 'docker.io'), { recursive: true });
    writeFileSync(join(certs, 'docker.io', 'hosts.toml'), 'server = "https://registry-1.docker.io"\n# the operator\'s own\n');
    const args = ['containerd-config', 'install', '--registries-file', file, '--dir', certs, '--mirror', 'http://127.0.0.1:5099'];

    const printed = await cli([...args, '--print']);
    assert.equal(printed.code, 0, printed.io.stderr.join('\n'));
    assert.deepEqual(printed.io.stdout.filter((l) => l.startsWith('# /')), ['docker.io', 'registry.corp.example', '10.0.0.9:5000'].map((r) => `# ${join(certs, r, 'hosts.toml')}`));
    assert.deepEqual(readdirSync(certs), ['docker.io'], '--print writes nothing');

    const install = await cli(args);
    assert.equal(install.code, 0, install.io.stderr.join('\n'));
    const path = (r: string) => join(certs, r, 'hosts.toml');
    assert.deepEqual(install.io.stdout, [
      `wrote ${path('docker.io')} (previous file kept as ${path('docker.io')}.accelerboat-backup)`,
      `wrote ${path('registry.corp.example')}`,
      `wrote ${path('10.0.0.9:5000')}`,
    ]);
    for (const r of ['docker.io', 'registry.corp.example', '10.0.0.9:5000']) assert.match(readFileSync(path(r), 'utf8'), /^\[host\."http:\/\/127\.0\.0\.1:5099"\]$/m, r);
    assert.match(readFileSync(path('10.0.0.9:5000'), 'utf8'), /^server = "http:\/\/10\.0\.0\.9:5000"$/m);
    assert.match(readFileSync(path('docker.io'), 'utf8'), /^server = "https:\/\/registry-1\.docker\.io"$/m);

    const again = await cli([...args, '--json']);
    assert.equal(again.code, 0);
    assert.deepEqual((JSON.parse(again.io.stdout.join('\n')) as { changed: boolean }[]).map((c) => c.changed), [false, false, false], 'a second run (pod restart) changes nothing');

    const undo = await cli(['containerd-config', 'uninstall', '--registries-file', file, '--dir', certs]);
    assert.equal(undo.code, 0, undo.io.stderr.join('\n'));
    assert.deepEqual(undo.io.stdout, [`restored ${path('docker.io')} from ${path('docker.io')}.accelerboat-backup`, `removed ${path('registry.corp.example')}`, `removed ${path('10.0.0.9:5000')}`]);
    assert.deepEqual(readdirSync(certs), ['docker.io']);
    assert.match(readFileSync(path('docker.io'), 'utf8'), /the operator's own/);
  });

  it('uninstalls everything it wrote with --all, even registries since dropped from the file', async () => {
    const certs = join(dir, 'certs.d');
    for (const r of ['ghcr.io', 'quay.io']) assert.equal((await cli(['containerd-config', 'install', '--registry', r, '--dir', certs])).code, 0);
    const undo = await cli(['containerd-config', 'uninstall', '--all', '--dir', certs, '--json']);
    assert.equal(undo.code, 0, undo.io.stderr.join('\n'));
    assert.deepEqual((JSON.parse(undo.io.stdout.join('\n')) as { path: string }[]).map((c) => c.path), [join(certs, 'ghcr.io', 'hosts.toml'), join(certs, 'quay.io', 'hosts.toml')]);
    assert.deepEqual(readdirSync(certs), []);
    const nothing = await cli(['containerd-config', 'uninstall', '--all', '--dir', certs]);
    assert.deepEqual([nothing.code, nothing.io.stdout], [0, [`no hosts.toml written by accelerboat under ${certs}; nothing to do`]]);
  });

  it('with --prune, also undoes registries dropped from the file, and nothing it did not write', async () => {
    const file = join(dir, 'registries.json');
    const certs = join(dir, 'certs.d');
    writeFileSync(file, JSON.stringify({ registries: [{ originalHost: 'ghcr.io' }, { originalHost: 'quay.io' }] }));
    assert.equal((await cli(['containerd-config', 'install', '--registries-file', file, '--dir', certs])).code, 0);
    mkdirSync(join(certs, 'registry.corp.example'));
    writeFileSync(join(certs, 'registry.corp.example', 'hosts.toml'), 'server = "https://registry.corp.example"\n');
    writeFileSync(file, JSON.stringify({ registries: [{ originalHost: 'ghcr.io' }] }));
    const { code, io } = await cli(['containerd-config', 'install', '--registries-file', file, '--prune', '--dir', certs]);
    assert.equal(code, 0, io.stderr.join('\n'));
    assert.deepEqual(io.stdout, [`${join(certs, 'ghcr.io', 'hosts.toml')} is already up to date`, `removed ${join(certs, 'quay.io', 'hosts.toml')}`]);
    assert.deepEqual(readdirSync(certs).sort(), ['ghcr.io', 'registry.corp.example']);
  });

  it('handles every registry of the file when one fails, then exits 1 naming it', async () => {
    const file = join(dir, 'registries.json');
    writeFileSync(file, JSON.stringify({ registries: [{ originalHost: 'ghcr.io' }, { originalHost: 'quay.io' }] }));
    const certs = join(dir, 'certs.d');
    assert.equal((await cli(['containerd-config', 'install', '--registry', 'ghcr.io', '--dir', certs])).code, 0);
    writeFileSync(join(certs, 'ghcr.io', 'hosts.toml.accelerboat-backup'), 'old');
    writeFileSync(join(certs, 'ghcr.io', 'hosts.toml'), 'replaced by someone');
    const { code, io } = await cli(['containerd-config', 'install', '--registries-file', file, '--dir', certs]);
    assert.equal(code, 1);
    assert.deepEqual(io.stdout, [`wrote ${join(certs, 'quay.io', 'hosts.toml')}`]);
    assert.match(io.stderr[0]!, /^ghcr\.io: .*move one of them away first$/);
    assert.equal(io.stderr[1], 'error: 1 of 2 registries failed');
  });

  it('refuses a registries file it cannot use before writing anything', async () => {
    const file = join(dir, 'registries.json');
    writeFileSync(file, JSON.stringify({ registries: [{ originalHost: 'ghcr.io' }, { originalHost: 'ghcr.io/org' }] }));
    const { code, io } = await cli(['containerd-config', 'install', '--registries-file', file, '--dir', join(dir, 'certs.d')]);
    assert.equal(code, 1);
    assert.deepEqual(io.stderr, [`error: --registries-file ${file}: registries[1].originalHost must be a host without a path`]);
    assert.equal(existsSync(join(dir, 'certs.d')), false);
  });

  it('answers usage errors with exit code 2 and one error line, never a stack', async () => {
    const usage = [
      ['containerd-config', 'reinstall', '--registry', 'x.io'],
      ['containerd-config', 'install'],
      ['containerd-config', 'install', '--registry', 'x.io', '--registries-file', '/r.json'],
      ['containerd-config', 'install', '--all'],
      ['containerd-config', 'install', '--registries-file', '/r.json', '--upstream', 'https://x.io'],
      ['containerd-config', 'uninstall', '--all', '--print'],
      ['containerd-config', 'install', '--registry', 'x.io', '--prune'],
      ['containerd-config', 'uninstall', '--registries-file', '/r.json', '--prune'],
      ['jobs', '--limit', '0'],
      ['layers', 'Not/Lowercase'],
      ['nope'],
    ];
    for (const args of usage) {
      const { code, io } = await cli(args);
      assert.equal(code, 2, args.join(' '));
      assert.match(io.stderr[0] ?? '', /^error: /, args.join(' '));
      assert.ok(!io.stderr.join('\n').includes('    at '), 'no stack trace');
    }
  });

  it('reports an unreachable NATS as one line and exit code 1', async () => {
    const { code, io } = await cli(['status', '--server', 'nats://127.0.0.1:1']);
    assert.equal(code, 1);
    assert.deepEqual(io.stderr, ['error: cannot reach NATS at nats://127.0.0.1:1: CONNECTION_REFUSED (set --server or NATS_SERVERS)']);
    const bad = await cli(['jobs'], capture(), { NATS_SERVERS: 'not a url list' });
    assert.match(bad.io.stderr[0]!, /^error: NATS_SERVERS: /);
  });
});

describe('authorizationFrom', () => {
  it('builds Basic from --user and a password from the option or the environment', () => {
    assert.equal(authorizationFrom({ user: 'alice', password: 's3cret' }), `Basic ${Buffer.from('alice:s3cret').toString('base64')}`);
    assert.equal(authorizationFrom({ user: 'alice' }, { ACCELERBOAT_PASSWORD: 'pw' }), `Basic ${Buffer.from('alice:pw').toString('base64')}`);
    assert.equal(authorizationFrom({}, { ACCELERBOAT_AUTHORIZATION: 'Bearer t' }), 'Bearer t');
    assert.equal(authorizationFrom({}, {}), undefined);
  });

  it('refuses incomplete or unsafe credentials without quoting them', () => {
    assert.throws(() => authorizationFrom({ user: 'alice' }, {}), /needs --password/);
    assert.throws(() => authorizationFrom({ user: 'alice', authorization: 'Bearer t' }, {}), /cannot be combined/);
    assert.throws(() => authorizationFrom({ authorization: 'Bearer s3cret\r\nX: y' }, {}), (e: unknown) => e instanceof CliError && !e.message.includes('s3cret'));
  });
});
