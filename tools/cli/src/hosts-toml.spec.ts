import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from './errors.js';
import { BACKUP_SUFFIX, hostNamespace, installedRegistries, installHostsToml, MARKER, renderHostsToml, uninstallHostsToml, upstreamFor } from './hosts-toml.js';

describe('renderHostsToml', () => {
  it('points containerd at the mirror first with the upstream as fallback and a short dial timeout', () => {
    assert.equal(
      renderHostsToml({ registry: 'docker.io', mirror: 'http://127.0.0.1:5080', dialTimeout: '1s' }),
      `${MARKER}\nserver = "https://registry-1.docker.io"\n\n[host."http://127.0.0.1:5080"]\n  capabilities = ["pull", "resolve"]\n  dial_timeout = "1s"\n`,
    );
    const ghcr = renderHostsToml({ registry: 'ghcr.io', mirror: 'http://10.0.0.5:5080' });
    assert.match(ghcr, /^server = "https:\/\/ghcr\.io"$/m);
    assert.doesNotMatch(ghcr, /dial_timeout/);
    assert.match(renderHostsToml({ registry: '10.0.0.9:5000', mirror: 'http://127.0.0.1:5080', upstream: 'http://10.0.0.9:5000' }), /^server = "http:\/\/10\.0\.0\.9:5000"$/m);
  });

  it('files Docker Hub under docker.io whatever alias is given', () => {
    assert.equal(hostNamespace('registry-1.docker.io'), 'docker.io');
    assert.equal(hostNamespace('Index.Docker.io'), 'docker.io');
    assert.equal(hostNamespace('quay.io'), 'quay.io');
    assert.equal(upstreamFor('docker.io', 'https'), 'https://registry-1.docker.io');
    assert.equal(upstreamFor('10.0.0.9:5000', 'http'), 'http://10.0.0.9:5000');
  });

  it('refuses values that could break out of the file or the directory', () => {
    const bad = (spec: Parameters<typeof renderHostsToml>[0], message: RegExp) => assert.throws(() => renderHostsToml(spec), (e: unknown) => e instanceof CliError && message.test(e.message));
    bad({ registry: '../etc', mirror: 'http://127.0.0.1:5080' }, /--registry/);
    bad({ registry: 'docker.io', mirror: 'ftp://x' }, /--mirror must use http/);
    bad({ registry: 'docker.io', mirror: 'http://u:p@127.0.0.1:5080' }, /credentials/);
    bad({ registry: 'docker.io', mirror: 'http://127.0.0.1:5080/"]\n[x' }, /--mirror/);
    bad({ registry: 'docker.io', mirror: 'http://127.0.0.1:5080', dialTimeout: '1 hour' }, /--dial-timeout/);
  });
});

describe('installHostsToml and uninstallHostsToml', () => {
  let dir: string;
  const spec = { registry: 'docker.io', mirror: 'http://127.0.0.1:5080', dialTimeout: '1s' };
  const path = () => join(dir, 'docker.io', 'hosts.toml');
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ab-hosts-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps an existing file as a backup, is idempotent, and restores it on uninstall', () => {
    mkdirSync(join(dir, 'docker.io'));
    writeFileSync(path(), 'server = "https://registry-1.docker.io"\n# the operator\'s own\n');
    const first = installHostsToml(dir, spec);
    assert.deepEqual([first.changed, first.backup], [true, path() + BACKUP_SUFFIX]);
    assert.ok(readFileSync(path(), 'utf8').startsWith(MARKER));
    assert.match(readFileSync(path() + BACKUP_SUFFIX, 'utf8'), /the operator's own/);
    const again = installHostsToml(dir, spec);
    assert.deepEqual([again.changed, again.backup], [false, path() + BACKUP_SUFFIX]);
    assert.equal(installHostsToml(dir, { ...spec, dialTimeout: '2s' }).changed, true, 'a changed setting rewrites our file');
    assert.match(readFileSync(path() + BACKUP_SUFFIX, 'utf8'), /the operator's own/, 'the backup is never overwritten');
    const undo = uninstallHostsToml(dir, 'docker.io');
    assert.equal(undo.changed, true);
    assert.match(readFileSync(path(), 'utf8'), /the operator's own/);
    assert.equal(existsSync(path() + BACKUP_SUFFIX), false);
    assert.equal(uninstallHostsToml(dir, 'docker.io').changed, false, 'a second uninstall leaves their file alone');
    assert.match(readFileSync(path(), 'utf8'), /the operator's own/);
  });

  it('removes its own file and the directory it created when there was nothing before', () => {
    assert.equal(installHostsToml(dir, spec).backup, undefined);
    assert.equal(existsSync(path() + BACKUP_SUFFIX), false);
    assert.equal(uninstallHostsToml(dir, 'registry-1.docker.io').summary, `removed ${path()}`);
    assert.equal(existsSync(join(dir, 'docker.io')), false);
    assert.equal(uninstallHostsToml(dir, 'docker.io').changed, false);
  });

  it('refuses to install over a replaced file while an older backup exists', () => {
    installHostsToml(dir, spec);
    writeFileSync(path() + BACKUP_SUFFIX, 'old');
    writeFileSync(path(), 'someone else\'s');
    assert.throws(() => installHostsToml(dir, spec), (e: unknown) => e instanceof CliError && /move one of them away/.test(e.message));
    assert.equal(readFileSync(path(), 'utf8'), 'someone else\'s');
  });

  it('finds every registry it configured, and nothing else, for uninstall --all', () => {
    assert.deepEqual(installedRegistries(join(dir, 'absent')), []);
    installHostsToml(dir, spec);
    mkdirSync(join(dir, 'ghcr.io'));
    writeFileSync(join(dir, 'ghcr.io', 'hosts.toml'), 'server = "https://ghcr.io"\n');
    installHostsToml(dir, { ...spec, registry: 'ghcr.io' });
    mkdirSync(join(dir, 'quay.io'));
    writeFileSync(join(dir, 'quay.io', 'hosts.toml'), 'server = "https://quay.io"\n');
    mkdirSync(join(dir, '_default'));
    writeFileSync(join(dir, '_default', 'hosts.toml'), `${MARKER}\n`);
    writeFileSync(join(dir, 'README'), 'a file, not a registry');
    assert.deepEqual(installedRegistries(dir), ['docker.io', 'ghcr.io']);
    for (const r of installedRegistries(dir)) uninstallHostsToml(dir, r);
    assert.deepEqual(installedRegistries(dir), []);
    assert.equal(readFileSync(join(dir, 'ghcr.io', 'hosts.toml'), 'utf8'), 'server = "https://ghcr.io"\n');
  });
});
