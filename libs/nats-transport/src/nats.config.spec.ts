import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '@accelerboat/config';
import { connectionOptions } from './connect.js';
import { NatsConfig, natsServers } from './nats.config.js';

describe('NatsConfig', () => {
  it('defaults to a local server and a 2 s request timeout', () => {
    const { nats } = loadConfig({ nats: NatsConfig }, {});
    assert.deepEqual(natsServers(nats), ['nats://127.0.0.1:4222']);
    assert.equal(nats.requestTimeoutMs, 2000);
  });

  it('splits a comma-separated server list and converts the timeout', () => {
    const { nats } = loadConfig({ nats: NatsConfig }, { NATS_SERVERS: 'nats://a:4222, tls://b:4222,c:4222', NATS_REQUEST_TIMEOUT_MS: '750' });
    assert.deepEqual(natsServers(nats), ['nats://a:4222', 'tls://b:4222', 'c:4222']);
    assert.equal(nats.requestTimeoutMs, 750);
  });

  it('rejects a bad timeout and a malformed server list by key', () => {
    assert.throws(() => loadConfig({ nats: NatsConfig }, { NATS_REQUEST_TIMEOUT_MS: '0' }), /NATS_REQUEST_TIMEOUT_MS/);
    assert.throws(() => loadConfig({ nats: NatsConfig }, { NATS_SERVERS: 'nats://a:4222,,b' }), /NATS_SERVERS/);
  });

  it('requires user and password together, and never prints the password', () => {
    assert.throws(
      () => loadConfig({ nats: NatsConfig }, { NATS_PASSWORD: 's3cret-value' }),
      (e: unknown) => e instanceof Error && /NATS_USER/.test(e.message) && !e.message.includes('s3cret-value'),
    );
    assert.throws(() => loadConfig({ nats: NatsConfig }, { NATS_USER: 'coord' }), /NATS_PASSWORD/);
  });

  it('refuses a token next to a user', () => {
    assert.throws(() => loadConfig({ nats: NatsConfig }, { NATS_USER: 'u', NATS_PASSWORD: 'p', NATS_TOKEN: 't' }), /NATS_TOKEN: cannot be combined/);
  });

  it('passes credentials and reconnect-forever settings to nats.js', () => {
    const { nats } = loadConfig({ nats: NatsConfig }, { NATS_USER: 'u', NATS_PASSWORD: 'p' });
    const opts = connectionOptions(nats, 'seeder');
    assert.equal(opts.name, 'seeder');
    assert.equal(opts.user, 'u');
    assert.equal(opts.pass, 'p');
    assert.equal(opts.maxReconnectAttempts, -1);
    assert.equal(opts.waitOnFirstConnect, true);
    assert.equal(connectionOptions(loadConfig({ nats: NatsConfig }, { NATS_TOKEN: 't', NATS_NAME: 'n' }).nats, 'x').token, 't');
  });
});
