#!/usr/bin/env node
// Brings the whole system up on this machine with embedded defaults: nats-server, redis-server
// and the five apps, each on a fixed default port (or a free one if that is taken).
//   node tools/stack.mjs up [-d]   foreground (Ctrl-C stops everything) or detached
//   node tools/stack.mjs down      stops a detached stack by PID
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

const root = resolve(import.meta.dirname, '..');
const stateDir = join(root, '.stack');
const pidFile = join(stateDir, 'pids.json');
const [cmd = 'up', ...flags] = process.argv.slice(2);
const detach = flags.includes('-d') || flags.includes('--detach');
const host = process.env.STACK_HOST ?? '127.0.0.1';

const isFree = (port) =>
  new Promise((ok) => {
    const s = createServer().once('error', () => ok(false));
    s.listen(port, host, () => s.close(() => ok(true)));
  });
const anyPort = () =>
  new Promise((ok) => {
    const s = createServer().listen(0, host, () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
const pick = async (preferred) => ((await isFree(preferred)) ? preferred : anyPort());
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function stopAll(procs) {
  for (const p of [...procs].reverse()) {
    try {
      process.kill(-p.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    for (let i = 0; i < 100 && alive(p.pid); i++) await sleep(100);
    if (alive(p.pid)) {
      try {
        process.kill(-p.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    console.log(`stopped ${p.name} (pid ${p.pid})`);
  }
}

async function waitReady(name, url, child, timeoutMs = 30000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}; see ${join(stateDir, 'logs', name + '.log')}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      /* not yet */
    }
    await sleep(200);
  }
  throw new Error(`${name} not ready at ${url} after ${timeoutMs} ms; see ${join(stateDir, 'logs', name + '.log')}`);
}

async function up() {
  if (existsSync(pidFile)) {
    const old = JSON.parse(readFileSync(pidFile, 'utf8'));
    if (old.some((p) => alive(p.pid))) {
      console.error(`a stack is already running (${pidFile}); run ./dev down first`);
      process.exit(1);
    }
  }
  mkdirSync(join(stateDir, 'logs'), { recursive: true });
  mkdirSync(join(stateDir, 'redis'), { recursive: true });
  mkdirSync(join(stateDir, 'cache'), { recursive: true });
  mkdirSync(join(stateDir, 'seeder'), { recursive: true });
  const secretFile = join(stateDir, 'cluster-secret');
  if (!existsSync(secretFile)) writeFileSync(secretFile, randomBytes(24).toString('hex'), { mode: 0o600 });
  const clusterSecret = readFileSync(secretFile, 'utf8').trim();

  // Embedded default: the public registries most clusters pull from. Point REGISTRIES_FILE at your
  // own file to mirror others (see README).
  const registriesFile = process.env.REGISTRIES_FILE ?? join(stateDir, 'registries.json');
  if (!process.env.REGISTRIES_FILE) {
    const hosts = ['docker.io', 'ghcr.io', 'quay.io', 'registry.k8s.io', 'gcr.io', 'mcr.microsoft.com'];
    writeFileSync(registriesFile, JSON.stringify({ registries: hosts.map((originalHost) => ({ originalHost })) }, null, 2));
  }

  const ports = {
    nats: await pick(4222),
    redis: await pick(6379),
    edge: await pick(5080),
    coordinator: await pick(5081),
    indexer: await pick(5082),
    seeder: await pick(5083),
    tracker: await pick(5084),
  };
  const procs = [];
  const start = (name, command, args, env = {}) => {
    const log = openSync(join(stateDir, 'logs', `${name}.log`), 'a');
    const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', log, log], detached: true });
    procs.push({ name, pid: child.pid });
    writeFileSync(pidFile, JSON.stringify(procs));
    return child;
  };
  const common = {
    NATS_SERVERS: `nats://${host}:${ports.nats}`,
    REDIS_URL: `redis://${host}:${ports.redis}/0`,
    HTTP_HOST: host,
    INSTANCE_ID: 'local',
    CLUSTER_SECRET: clusterSecret,
    REGISTRIES_FILE: registriesFile,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  };
  const apps = [
    ['master-coordinator', ports.coordinator, {}],
    ['layer-indexer', ports.indexer, { BLOB_DIRS: `${join(stateDir, 'cache')},${join(stateDir, 'seeder')}` }],
    ['seeder', ports.seeder, { SEEDER_DIR: join(stateDir, 'seeder'), PUBLIC_URL: `http://${host}:${ports.seeder}` }],
    ['tracker', ports.tracker, {}],
    ['edge-proxy', ports.edge, { CACHE_DIR: join(stateDir, 'cache'), PUBLIC_URL: `http://${host}:${ports.edge}` }],
  ];
  try {
    const nats = start('nats-server', 'nats-server', ['-a', host, '-p', String(ports.nats)]);
    const redis = start('redis-server', 'redis-server', ['--bind', host, '--port', String(ports.redis), '--save', '', '--appendonly', 'no', '--dir', join(stateDir, 'redis')]);
    await sleep(300);
    if (nats.exitCode !== null || redis.exitCode !== null) throw new Error('nats-server or redis-server failed to start; see .stack/logs');
    for (const [name, port, env] of apps) {
      const child = start(name, process.execPath, ['--enable-source-maps', join(root, 'apps', name, 'dist', 'main.js')], { ...common, ...env, HTTP_PORT: String(port) });
      await waitReady(name, `http://${host}:${port}/readyz`, child);
      console.log(`  ${name.padEnd(20)} http://${host}:${port}  (ready)`);
    }
  } catch (e) {
    console.error(`stack failed: ${e.message}`);
    await stopAll(procs);
    rmSync(pidFile, { force: true });
    process.exit(1);
  }
  console.log(`
AccelerBoat is up.
  registry mirror   http://${host}:${ports.edge}      (try: curl -i http://${host}:${ports.edge}/v2/)
  NATS              nats://${host}:${ports.nats}      (nats micro ls --server nats://${host}:${ports.nats})
  Redis             redis://${host}:${ports.redis}
  logs              ${join(stateDir, 'logs')}
containerd: /etc/containerd/certs.d/<registry>/hosts.toml with [host."http://${host}:${ports.edge}"] capabilities = ["pull", "resolve"]
${detach ? 'Stop with: ./dev down' : 'Ctrl-C stops everything (or ./dev down from another shell).'}`);
  writeFileSync(join(stateDir, 'endpoints.json'), JSON.stringify({ ...ports, host }, null, 2));
  if (detach) process.exit(0);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await stopAll(procs);
    rmSync(pidFile, { force: true });
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Stay in the foreground; if the pid file disappears (./dev down), exit too.
  for (;;) {
    await sleep(1000);
    if (!existsSync(pidFile)) process.exit(0);
  }
}

async function down() {
  if (!existsSync(pidFile)) {
    console.log('no stack running');
    return;
  }
  const procs = JSON.parse(readFileSync(pidFile, 'utf8'));
  rmSync(pidFile, { force: true });
  await stopAll(procs);
}

if (cmd === 'up') await up();
else if (cmd === 'down') await down();
else {
  console.error('usage: stack.mjs up [-d] | down');
  process.exit(2);
}
