import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ServiceNames } from '@accelerboat/registry-protocol';
import { freePort } from '@accelerboat/testing';
import { startContainerd, type Containerd } from './support/clients.js';
import { startStack, type Stack } from './support/stack.js';
import { PASSWORD, startUpstream, USER, writeRegistriesFile, type Upstream } from './support/upstreams.js';

const MAIN = resolve(import.meta.dirname, '..', '..', 'tools', 'cli', 'dist', 'main.js');
const KiB = 1024;
const NODE = 'node-cli';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the compiled CLI as an operator would, against the stack's NATS. */
function accelerboat(stack: Stack, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [MAIN, ...args, '--server', stack.nats.url], { env: { ...process.env, ...env }, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** Runs the CLI and parses its --json output; fails with its stderr when it exits non-zero. */
async function json<T>(stack: Stack, args: string[], env: Record<string, string> = {}): Promise<T> {
  const r = await accelerboat(stack, [...args, '--json'], env);
  assert.equal(r.code, 0, `accelerboat ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

type SeenEvent = { subject: string; event: { data: Record<string, unknown> } };

/**
 * `events --follow` in the background; resolves once it watches. `stop()` sends the Ctrl-C an
 * operator would and resolves with the NDJSON lines printed (the CLI must exit 0 on it).
 */
function watchEvents(stack: Stack): Promise<{ stop(): Promise<SeenEvent[]> }> {
  const child = spawn(process.execPath, [MAIN, 'events', '--follow', '--json', '--server', stack.nats.url]);
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const ended = new Promise<SeenEvent[]>((done, fail) =>
    child.on('close', (code) => (code === 0 ? done(stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as SeenEvent)) : fail(new Error(`events exited ${code}`)))),
  );
  const stop = (): Promise<SeenEvent[]> => (child.kill('SIGINT'), ended);
  return new Promise((ready) => child.stderr.on('data', (d: Buffer) => d.toString().includes('watching') && ready({ stop })));
}

type Layers = { digest: string; layers: { digest: string; kind: string; holderCount: number; holders: { nodeId: string; source: string }[] }[] };
type Preload = { complete: boolean; jobs: { digest: string; status: string; result: string; jobId?: string; job?: { status: string; bytes: number } }[] };

describe('the accelerboat CLI against a running stack', () => {
  let upstream: Upstream;
  let stack: Stack;
  let image: string;
  const creds = ['--user', USER];
  const env = { ACCELERBOAT_PASSWORD: PASSWORD };

  before(async () => {
    upstream = await startUpstream({ anonymousPull: false, layers: [2048 * KiB, 1024 * KiB, 256 * KiB], repository: 'cli/app' });
    const registries = writeRegistriesFile(mkdtempSync(join(tmpdir(), 'ab-cli-')), [upstream.registry.host]);
    stack = await startStack({ instanceId: NODE, env: { REGISTRIES_FILE: registries } });
    image = `${upstream.registry.host}/${upstream.repository}:${upstream.tag}`;
  });
  after(async () => {
    await stack?.stop();
    await upstream?.registry.stop();
  });

  it('status lists the five services up, and prints them as a table', async () => {
    const report = await json<{ services: { service: string; instance: string; status: string; endpoints: number }[]; missing: string[] }>(stack, ['status']);
    assert.deepEqual([...new Set(report.services.map((s) => s.service))].sort(), Object.values(ServiceNames).sort());
    assert.deepEqual(report.missing, []);
    assert.ok(report.services.every((s) => s.status === 'up' && s.instance === NODE && s.endpoints > 0));
    const table = await accelerboat(stack, ['status']);
    assert.equal(table.code, 0);
    assert.match(table.stdout, /^SERVICE +INSTANCE +VERSION +STATUS/);
    assert.match(table.stdout, /^master-coordinator +node-cli +\d+\.\d+\.\d+ +up/m);
  });

  it('nodes shows the node with its services and its seeder load', async () => {
    const { nodes } = await json<{ nodes: { nodeId: string; services: string[]; seeder?: { maxJobs: number } }[] }>(stack, ['nodes']);
    const node = nodes.find((n) => n.nodeId === NODE);
    assert.deepEqual(node?.services, [...Object.values(ServiceNames)].sort());
    assert.ok((node?.seeder?.maxJobs ?? 0) > 0, 'the seeder heartbeat is joined in');
  });

  it('jobs answers an empty list before anything was pulled', async () => {
    assert.deepEqual(await json(stack, ['jobs']), { jobs: [] });
    assert.equal((await accelerboat(stack, ['jobs'])).stdout.trim(), 'no jobs');
  });

  it('explains a registry that wants credentials and an unknown tag in one line each', async () => {
    const anonymous = await accelerboat(stack, ['layers', image]);
    assert.equal(anonymous.code, 1);
    assert.match(anonymous.stderr, /^error: UNAUTHORIZED: .*--user\/--password/);
    const missing = await accelerboat(stack, ['layers', `${upstream.registry.host}/${upstream.repository}:nope`, ...creds], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^error: NOT_FOUND: /);
    assert.equal(missing.stderr.trim().split('\n').length, 1, 'one line, no stack trace');
  });

  it('preload --wait brings every blob into the cluster, while events shows the jobs', async () => {
    const events = await watchEvents(stack);
    const report = await json<Preload>(stack, ['preload', image, '--wait', '--poll-ms', '200', '--wait-timeout', '60', ...creds], env);
    assert.equal(report.complete, true);
    assert.equal(report.jobs.length, 4, 'config and three layers');
    for (const j of report.jobs) {
      assert.deepEqual([j.status, j.result, j.job?.status], ['assigned', 'completed', 'completed'], j.digest);
    }
    // Completion events are published before the job reads as completed; a moment covers delivery.
    await new Promise((r) => setTimeout(r, 300));
    const seen = await events.stop();
    const ids = new Set(report.jobs.map((j) => j.jobId));
    const ofPreload = (subject: string) => seen.filter((e) => e.subject === subject && ids.has(String(e.event.data.jobId)));
    assert.equal(ofPreload('p2p.events.job.assigned').length, 4);
    assert.equal(ofPreload('p2p.events.job.completed').length, 4);
  });

  it('layers shows the seeder holding every blob; jobs lists the finished jobs without credentials', async () => {
    const res = await json<Layers>(stack, ['layers', image, ...creds], env);
    assert.equal(res.digest, upstream.digest);
    assert.deepEqual(res.layers.map((l) => l.kind), ['config', 'layer', 'layer', 'layer']);
    for (const l of res.layers) assert.ok(l.holders.some((h) => h.nodeId === NODE && h.source === 'seeder'), `${l.digest} held by the seeder`);
    const table = await accelerboat(stack, ['layers', image, ...creds], env);
    assert.match(table.stdout, /4 of 4 blobs held in the cluster/);
    const jobs = await accelerboat(stack, ['jobs', '--json']);
    const listed = JSON.parse(jobs.stdout) as { jobs: { status: string }[] };
    assert.deepEqual(listed.jobs.map((j) => j.status), ['completed', 'completed', 'completed', 'completed']);
    assert.ok(!jobs.stdout.includes(Buffer.from(`${USER}:${PASSWORD}`).toString('base64')) && !jobs.stdout.includes('authorization'));
  });

  it('a second preload finds everything held and starts nothing', async () => {
    const again = await json<Preload>(stack, ['preload', image, ...creds], env);
    assert.deepEqual(again.jobs.map((j) => j.status), ['held', 'held', 'held', 'held']);
    const plain = await accelerboat(stack, ['preload', image, '--wait', ...creds], env);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /all 4 blobs are in the cluster/);
  });

  describe('containerd-config', () => {
    let containerd: Containerd;
    before(async () => {
      containerd = await startContainerd();
    });
    after(async () => containerd?.stop());

    it('install keeps the previous hosts.toml, uninstall restores it; both idempotent', async () => {
      const dir = join(stack.dir, 'certs.d');
      const path = join(dir, 'docker.io', 'hosts.toml');
      mkdirSync(join(dir, 'docker.io'), { recursive: true });
      writeFileSync(path, 'server = "https://registry-1.docker.io"\n');
      const args = ['containerd-config', 'install', '--registry', 'docker.io', '--mirror', stack.apps.get('edge-proxy')!.url, '--dir', dir];
      const first = await json<{ changed: boolean; backup: string }>(stack, args);
      assert.deepEqual([first.changed, first.backup], [true, `${path}.accelerboat-backup`]);
      assert.match(readFileSync(path, 'utf8'), /^server = "https:\/\/registry-1\.docker\.io"\n\n\[host\."http:\/\/127\.0\.0\.1:\d+"\]\n {2}capabilities = \["pull", "resolve"\]\n {2}dial_timeout = "1s"$/m);
      assert.equal((await json<{ changed: boolean }>(stack, args)).changed, false);
      assert.equal((await json<{ changed: boolean }>(stack, ['containerd-config', 'uninstall', '--registry', 'docker.io', '--dir', dir])).changed, true);
      assert.equal(readFileSync(path, 'utf8'), 'server = "https://registry-1.docker.io"\n');
      assert.equal(existsSync(`${path}.accelerboat-backup`), false);
      assert.equal((await json<{ changed: boolean }>(stack, ['containerd-config', 'uninstall', '--registry', 'docker.io', '--dir', dir])).changed, false);
    });

    it('the written hosts.toml makes containerd pull through the mirror while the upstream address is dead', async () => {
      const dir = join(stack.dir, 'certs-ctr.d');
      const dead = `http://127.0.0.1:${await freePort()}`;
      const install = await accelerboat(stack, ['containerd-config', 'install', '--registry', upstream.registry.host, '--mirror', stack.apps.get('edge-proxy')!.url, '--upstream', dead, '--dir', dir]);
      assert.equal(install.code, 0, install.stderr);
      await containerd.ctr(['images', 'pull', '--plain-http', '--user', `${USER}:${PASSWORD}`, '--hosts-dir', dir, image]);
      const { stdout } = await containerd.ctr(['images', 'ls']);
      assert.match(stdout, new RegExp(upstream.digest));
    });
  });
});
