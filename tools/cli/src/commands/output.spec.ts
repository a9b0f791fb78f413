import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JobSummary } from '@accelerboat/registry-protocol';
import { PassThrough } from 'node:stream';
import { BarsView, LinesView, progressLine } from '../progress.js';
import { formatEvent } from './events.js';
import { jobProgress, jobRows } from './jobs.js';

const digest = `sha256:${'ab'.repeat(32)}`;

describe('event lines', () => {
  it('show time, kind, publisher and data as key=value', () => {
    const envelope = { type: 'job.assigned', at: '2024-05-01T10:00:00.000Z', source: { service: 'master-coordinator', instance: 'node-1' }, data: { jobId: 'job-1', size: 5 } };
    assert.equal(formatEvent('p2p.events.job.assigned', JSON.stringify(envelope)), '2024-05-01T10:00:00.000Z job.assigned master-coordinator/node-1 jobId=job-1 size=5');
  });

  it('never pass escape sequences or non-JSON payloads through', () => {
    const hostile = { at: '2024-05-01T10:00:00.000Z', source: { service: 'x\u001b]0;owned\u0007', instance: 'i' }, data: { reason: 'a\nFAKE LINE' } };
    const line = formatEvent('p2p.events.fallback.taken', JSON.stringify(hostile));
    assert.ok(!/[\u0000-\u001f]/.test(line), line);
    assert.match(formatEvent('p2p.events.x', 'garbage'), / x \(not JSON, 7 bytes\)$/);
  });
});

describe('job progress', () => {
  const job: JobSummary = { jobId: 'job-1', digest, registry: 'ghcr.io', repository: 'org/app', size: 4 << 20, status: 'running', seederId: 'seeder-0', bytes: 1 << 20, attempts: 1, createdAt: '2024-05-01T10:00:00.000Z', updatedAt: '2024-05-01T10:00:05.000Z' };

  it('reads bytes against the reported total, else the expected size', () => {
    assert.equal(jobProgress(job), '1.0 MiB/4.0 MiB 25%');
    assert.equal(jobProgress({ ...job, total: 2 << 20 }), '1.0 MiB/2.0 MiB 50%');
    assert.equal(jobProgress({ bytes: 10 }), '10 B');
    assert.deepEqual(jobRows([job], Date.parse('2024-05-01T10:01:00.000Z'))[0], ['job-1', 'running', 'sha256:abababababab', 'ghcr.io/org/app', 'seeder-0', '1.0 MiB/4.0 MiB 25%', '1m', '']);
  });

  it('prints a progress line per status change or quarter, not per poll', () => {
    const lines: string[] = [];
    const view = new LinesView({ out: (l) => lines.push(l) });
    const at = (status: string, bytes: number) => [{ digest, kind: 'layer', status, bytes, total: 100 }];
    for (const [status, bytes] of [['assigned', 0], ['running', 10], ['running', 20], ['running', 30], ['running', 80], ['completed', 100], ['completed', 100]] as const) view.update(at(status, bytes));
    assert.equal(lines.length, 5);
    assert.equal(lines.at(-1), progressLine(at('completed', 100)[0]!));
    assert.match(lines.at(-1)!, /^layer  sha256:abababababab completed  100 B\/100 B 100%$/);
  });

  it('draws bars on a terminal stream, empty blobs included, and stops cleanly', () => {
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
    let drawn = '';
    stream.on('data', (d: Buffer) => (drawn += d.toString()));
    const view = new BarsView({ stream: stream as unknown as NodeJS.WriteStream });
    view.update([{ digest, kind: 'layer', status: 'running', bytes: 50, total: 100 }, { digest: `sha256:${'cd'.repeat(32)}`, kind: 'config', status: 'completed', bytes: 0, total: 0 }]);
    view.update([{ digest, kind: 'layer', status: 'completed', bytes: 100, total: 100 }]);
    view.stop();
    assert.match(drawn, /layer  sha256:abababababab \[.{16}\] 100% completed  100 B/);
    for (const line of drawn.split(/\r?\n/)) assert.ok(line.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').length < 80, line);
  });
});

