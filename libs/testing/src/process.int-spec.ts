import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, startProcess, tempDir, waitForPort, type ProcessHandle } from './index.js';

const run = promisify(execFile);
const node = (script: string) => ({ command: process.execPath, args: ['-e', script] });
/** True while `pid` runs. A zombie counts as dead: once orphaned, it waits for init to reap it. */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

describe('startProcess', () => {
  const started: ProcessHandle[] = [];
  after(async () => {
    for (const p of started) await p.stop();
  });

  it('resolves once the ready line appears and captures stdout and stderr', async () => {
    const dir = tempDir('ab-proc-');
    const p = await startProcess({
      name: 'logger',
      ...node("console.error('warming up'); setTimeout(() => console.log('READY now'), 50); setInterval(() => {}, 1000)"),
      readyWhen: { logLine: /READY/ },
      logFile: join(dir.path, 'out.log'),
    });
    started.push(p);
    assert.match(p.logs(), /warming up[\s\S]*READY now/);
    await p.stop();
    assert.match(readFileSync(join(dir.path, 'out.log'), 'utf8'), /READY now/);
    await dir.remove();
    assert.equal(existsSync(dir.path), false);
  });

  it('rejects with the output tail when the process exits before it is ready', async () => {
    await assert.rejects(
      startProcess({ name: 'crasher', ...node("console.log('bad config: nope'); process.exit(3)"), readyWhen: { logLine: /never/ } }),
      /crasher: exited before ready \(code 3[\s\S]*bad config: nope/,
    );
  });

  it('rejects after the timeout and kills the process', async () => {
    let pid = 0;
    await assert.rejects(
      startProcess({ name: 'slow', ...node('console.log(process.pid); setInterval(() => {}, 1000)'), readyWhen: { logLine: /never/ }, timeoutMs: 300 }).catch((e: Error) => {
        pid = Number(/\n(\d+)\n/.exec(e.message)?.[1]);
        throw e;
      }),
      /slow: not ready after 300 ms/,
    );
    assert.ok(pid > 0 && !alive(pid));
  });

  it('waits for a TCP port and for an HTTP answer', async () => {
    const port = await freePort();
    const server = `require('http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`;
    const byPort = await startProcess({ name: 'tcp', ...node(`setTimeout(() => ${server}, 100)`), readyWhen: { port } });
    started.push(byPort);
    await waitForPort('127.0.0.1', port, 1000);
    await byPort.stop();
    const byHttp = await startProcess({ name: 'http', ...node(server), readyWhen: { http: `http://127.0.0.1:${port}/` } });
    started.push(byHttp);
    assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), 'ok');
  });

  it('stop() kills the whole process group, SIGKILLing what ignores SIGTERM', async () => {
    // The child ignores SIGTERM and has a grandchild that does too.
    const script = `process.on('SIGTERM', () => {});
      const g = require('child_process').spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"], { stdio: 'ignore' });
      console.log('grandchild ' + g.pid); setInterval(() => {}, 1000);`;
    const p = await startProcess({ name: 'stubborn', ...node(script), readyWhen: { logLine: /grandchild \d+/ }, stopGraceMs: 200 });
    const grandchild = Number(/grandchild (\d+)/.exec(p.logs())![1]);
    const t0 = Date.now();
    await p.stop();
    assert.ok(Date.now() - t0 >= 150);
    assert.equal(p.exitStatus()?.signal, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(alive(p.pid), false);
    assert.equal(alive(grandchild), false);
  });

  it('kills servers a test forgot to stop when the test process exits', async () => {
    const lib = new URL('./index.js', import.meta.url).href;
    const script = `import { startProcess, tempDir } from '${lib}';
      const d = tempDir('ab-forgotten-');
      const p = await startProcess({ name: 'forgotten', command: 'sleep', args: ['300'] });
      console.log(JSON.stringify({ pid: p.pid, dir: d.path }));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { timeout: 10_000 });
    const { pid, dir } = JSON.parse(stdout) as { pid: number; dir: string };
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(alive(pid), false);
    assert.equal(existsSync(dir), false);
  });

  it('also cleans up when the test process is killed by SIGTERM', async () => {
    const lib = new URL('./index.js', import.meta.url).href;
    const script = `import { startProcess, tempDir } from '${lib}';
      const d = tempDir('ab-signalled-');
      const p = await startProcess({ name: 'orphan', command: 'sleep', args: ['300'] });
      console.log(JSON.stringify({ pid: p.pid, dir: d.path }));
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve) => child.stdout.once('data', (c: Buffer) => resolve(c.toString())));
    const { pid, dir } = JSON.parse(line) as { pid: number; dir: string };
    assert.ok(alive(pid) && existsSync(dir));
    const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, sig) => r(sig)));
    child.kill('SIGTERM');
    assert.equal(await exited, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(alive(pid), false);
    assert.equal(existsSync(dir), false);
  });
});
