import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  freePort,
  startNatsServer,
  startProcess,
  startRedisServer,
  tempDir,
  type NatsServer,
  type ProcessHandle,
  type RedisServer,
} from '@accelerboat/testing';
import type { ServiceName } from '@accelerboat/registry-protocol';

const repoRoot = resolve(import.meta.dirname, '..', '..', '..');

export const APPS: ServiceName[] = ['master-coordinator', 'layer-indexer', 'seeder', 'tracker', 'edge-proxy'];

/** The path of an app's compiled entry point, as a deployment runs it. */
export function appMain(app: ServiceName): string {
  return join(repoRoot, 'apps', app, 'dist', 'main.js');
}

export interface RunningApp {
  name: ServiceName;
  url: string;
  process: ProcessHandle;
}

export interface Stack {
  nats: NatsServer;
  redis: RedisServer;
  apps: Map<ServiceName, RunningApp>;
  clusterSecret: string;
  /** Scratch directory of this stack (cache, seeder store, client configs). */
  dir: string;
  stop(): Promise<void>;
}

/** Starts one app as its own process (the same entry point as the container image) and waits for /readyz. */
export async function startApp(name: ServiceName, env: Record<string, string>): Promise<RunningApp> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const process = await startProcess({
    name,
    command: globalThis.process.execPath,
    args: ['--enable-source-maps', appMain(name)],
    env: { HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port), LOG_LEVEL: 'warn', ...env },
    readyWhen: { http: `${url}/readyz` },
    timeoutMs: 30_000,
  });
  return { name, url, process };
}

/**
 * NATS, Redis and the five apps, each on free ports, as separate processes. `instanceId` becomes
 * INSTANCE_ID of the per-node apps.
 */
export async function startStack(opts: { instanceId?: string; env?: Record<string, string> } = {}): Promise<Stack> {
  const nats = await startNatsServer();
  const redis = await startRedisServer();
  const dir = tempDir('ab-e2e-');
  const clusterSecret = randomBytes(16).toString('hex');
  const env = {
    NATS_SERVERS: nats.url,
    REDIS_URL: redis.url,
    INSTANCE_ID: opts.instanceId ?? 'node-1',
    CLUSTER_SECRET: clusterSecret,
    CACHE_DIR: join(dir.path, 'cache'),
    SEEDER_DIR: join(dir.path, 'seeder'),
    BLOB_DIRS: `${join(dir.path, 'cache')},${join(dir.path, 'seeder')}`,
    HEARTBEAT_INTERVAL_MS: '500',
    ...opts.env,
  };
  const apps = new Map<ServiceName, RunningApp>();
  const stop = async (): Promise<void> => {
    for (const app of [...apps.values()].reverse()) await app.process.stop();
    await redis.stop();
    await nats.stop();
    await dir.remove();
  };
  try {
    for (const name of APPS) apps.set(name, await startApp(name, env));
  } catch (e) {
    await stop();
    throw e;
  }
  return { nats, redis, apps, clusterSecret, dir: dir.path, stop };
}
