import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { ServiceName } from '@accelerboat/registry-protocol';
import { APPS, appMain } from './support/stack.js';

// Exit code 78 is EX_CONFIG: the pod's last state then says "bad configuration", not "crashed".
const EX_CONFIG = 78;

function boot(app: ServiceName, env: Record<string, string>): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [appMain(app)], {
    // Unreachable NATS: a valid config would hang waiting for it, so a timely exit proves validation ran first.
    env: { PATH: process.env.PATH, NATS_SERVERS: 'nats://127.0.0.1:1', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: r.status, stderr: r.stderr };
}

describe('starting an app with an invalid configuration', () => {
  for (const app of APPS) {
    it(`${app}: exits ${EX_CONFIG} with a message naming the bad key`, () => {
      const r = boot(app, { HTTP_PORT: 'eighty', CLUSTER_SECRET: 'x'.repeat(32) });
      assert.equal(r.status, EX_CONFIG, r.stderr);
      assert.match(r.stderr, new RegExp(`^${app}: invalid configuration`, 'm'));
      assert.match(r.stderr, /HTTP_PORT: /);
      assert.ok(!r.stderr.includes('eighty'), 'the bad value is not echoed');
    });
  }

  it('never prints a secret, even when the secret itself is the bad value', () => {
    const secret = 'hunter2-short';
    const r = boot('edge-proxy', { CLUSTER_SECRET: secret, REDIS_URL: 'redis://:pw-in-url@127.0.0.1:1' });
    assert.equal(r.status, EX_CONFIG, r.stderr);
    assert.match(r.stderr, /CLUSTER_SECRET: must be longer than or equal to 16 characters/);
    assert.ok(!r.stderr.includes(secret) && !r.stderr.includes('pw-in-url'), r.stderr);
  });

  it('reports every bad key at once, not one per restart', () => {
    const r = boot('master-coordinator', { HTTP_PORT: '70000', MANIFEST_TTL_SECONDS: '-1', REDIS_COMMAND_TIMEOUT_MS: 'soon' });
    assert.equal(r.status, EX_CONFIG, r.stderr);
    for (const key of ['HTTP_PORT', 'MANIFEST_TTL_SECONDS', 'REDIS_COMMAND_TIMEOUT_MS']) assert.match(r.stderr, new RegExp(`${key}: `));
  });

  it('refuses a missing required key', () => {
    const r = boot('seeder', {});
    assert.equal(r.status, EX_CONFIG, r.stderr);
    assert.match(r.stderr, /CLUSTER_SECRET: /);
  });
});
