import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { startNatsServer } from '@accelerboat/testing';
import { connectNats } from './connect.js';
import { NatsConfig } from './nats.config.js';
import { NatsHealth, type NatsConnectionState } from './nats-health.js';
import { CapturingLogger } from './test-app.fixture.js';

async function until(health: NatsHealth, state: NatsConnectionState): Promise<void> {
  for (let i = 0; i < 100 && health.state !== state; i++) await delay(50);
  assert.equal(health.state, state);
}

describe('connectNats and NatsHealth', () => {
  it('reports connected, then reconnecting when the server goes away, then closed', async () => {
    const nats = await startNatsServer();
    const logger = new CapturingLogger();
    const nc = await connectNats(Object.assign(new NatsConfig(), { servers: nats.url, name: 'probe' }), { name: 'seeder', logger });
    try {
      const health = NatsHealth.of(nc);
      assert.equal(health, NatsHealth.of(nc), 'one health object per connection');
      assert.equal(health.state, 'connected');
      assert.equal(health.isReady(), true);
      assert.equal(health.snapshot().server, `127.0.0.1:${nats.port}`);
      await nats.stop();
      await until(health, 'reconnecting');
      assert.equal(health.isReady(), false);
      assert.ok(logger.lines.some((l) => l.includes('reconnecting')));
      await nc.close();
      await until(health, 'closed');
    } finally {
      if (!nc.isClosed()) await nc.close();
      await nats.stop().catch(() => undefined);
    }
  });
});
