import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startRedisServer, type RedisServer } from './index.js';

/** Sends one inline command and resolves with the first `lines` lines of the RESP reply. */
function redisCommand(port: number, cmd: string, lines = 1): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let data = '';
    sock.on('data', (c) => {
      data += c.toString();
      const got = data.split('\r\n');
      if (got.length > lines) {
        sock.destroy();
        resolve(got.slice(0, lines));
      }
    });
    sock.on('error', reject);
    sock.write(`${cmd}\r\n`);
  });
}

describe('startRedisServer', () => {
  let redis: RedisServer;
  before(async () => {
    redis = await startRedisServer();
  });
  after(async () => {
    await redis?.stop();
  });

  it('answers PING on its loopback port', async () => {
    assert.match(redis.url, /^redis:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(await redisCommand(redis.port, 'PING'), ['+PONG']);
  });

  it('runs without persistence', async () => {
    // CONFIG GET replies with a 2-element array: name, value. An empty `save` means no RDB snapshots.
    assert.deepEqual(await redisCommand(redis.port, 'CONFIG GET save', 5), ['*2', '$4', 'save', '$0', '']);
    assert.deepEqual(await redisCommand(redis.port, 'CONFIG GET appendonly', 5), ['*2', '$10', 'appendonly', '$2', 'no']);
  });
});
