import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

  it('answers usage errors with exit code 2 and one error line, never a stack', async () => {
    for (const args of [['containerd-config', 'reinstall', '--registry', 'x.io'], ['jobs', '--limit', '0'], ['layers', 'Not/Lowercase'], ['nope']]) {
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
