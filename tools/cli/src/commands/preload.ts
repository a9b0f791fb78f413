import { setTimeout as sleep } from 'node:timers/promises';
import type { JobSummary, PreloadImageResponse, PreloadJob } from '@accelerboat/registry-protocol';
import { CliError } from '../errors.js';
import { formatBytes, shortDigest } from '../format.js';
import type { ImageRef } from '../image-ref.js';
import { printJson, type Io } from '../io.js';
import { progressView, type BlobProgress } from '../progress.js';
import { renderTable } from '../table.js';
import type { Cluster } from '../cluster.js';
import { resolvedLine } from './layers.js';

/** Options of `preload`. */
export interface PreloadOptions {
  json: boolean;
  wait: boolean;
  platform?: string;
  authorization?: string;
  /** How often job progress is read while waiting. */
  pollMs: number;
  /** Longest wait for the jobs, in milliseconds. */
  waitTimeoutMs: number;
  signal?: AbortSignal;
}

/** How one blob ended up, after waiting. */
export type PreloadResult = 'held' | 'completed' | 'failed' | 'unassigned' | 'gone' | 'timeout';

/** What `preload --wait --json` prints: the preload answer, each entry with its outcome. */
export interface PreloadReport extends Omit<PreloadImageResponse, 'jobs'> {
  jobs: (PreloadJob & { result: PreloadResult; job?: JobSummary })[];
  complete: boolean;
}

// The coordinator answers once every job is placed; each placement may wait for seeders.
const PRELOAD_REQUEST_TIMEOUT_MS = 120_000;
const TERMINAL = new Set(['held', 'unassigned', 'completed', 'failed', 'gone']);

/**
 * Asks the coordinator to have seeders fetch every blob of an image the cluster lacks, then
 * (with --wait) follows the jobs with job-list until all are done: a bar per blob on a terminal,
 * progress lines otherwise. Exits 1 unless every blob ends up held or completed.
 */
export async function preloadCommand(cluster: Cluster, io: Io, ref: ImageRef, opts: PreloadOptions): Promise<void> {
  const res = await cluster.coordinator.preloadImage(
    {
      registry: ref.registry,
      repository: ref.repository,
      reference: ref.reference,
      ...(opts.platform ? { platform: opts.platform } : {}),
      ...(opts.authorization ? { authorization: opts.authorization } : {}),
    },
    { timeoutMs: PRELOAD_REQUEST_TIMEOUT_MS },
  );
  if (!opts.wait) {
    if (opts.json) printJson(io, res);
    else printPlan(io, ref, res);
    const unassigned = res.jobs.filter((j) => j.status === 'unassigned');
    if (unassigned.length) throw new CliError(`${unassigned.length} blob(s) were given to no seeder: ${unassigned[0]!.reason ?? 'no seeder'}`);
    return;
  }
  if (!opts.json) io.out(resolvedLine(ref, res));
  const report = await follow(cluster, io, res, opts);
  if (opts.json) printJson(io, report);
  const bad = report.jobs.filter((j) => j.result !== 'held' && j.result !== 'completed');
  if (bad.length) {
    const first = bad[0]!;
    throw new CliError(`preload incomplete: ${bad.length} of ${report.jobs.length} blobs not in the cluster (${shortDigest(first.digest)}: ${first.result}${first.job?.reason ? `, ${first.job.reason}` : first.reason ? `, ${first.reason}` : ''})`);
  }
  if (!opts.json) io.out(`${ref.repository}: all ${report.jobs.length} blobs are in the cluster`);
}

function printPlan(io: Io, ref: ImageRef, res: PreloadImageResponse): void {
  io.out(resolvedLine(ref, res));
  const rows = res.jobs.map((j) => [j.kind, shortDigest(j.digest), formatBytes(j.size), j.status, j.jobId ?? '-', j.seederId ?? '-', j.reason ?? '']);
  const columns = [{ header: 'kind' }, { header: 'digest' }, { header: 'size', align: 'right' as const }, { header: 'status' }, { header: 'job' }, { header: 'seeder' }, { header: 'reason' }];
  for (const line of renderTable(columns, rows)) io.out(line);
}

async function follow(cluster: Cluster, io: Io, res: PreloadImageResponse, opts: PreloadOptions): Promise<PreloadReport> {
  const ids = res.jobs.flatMap((j) => (j.jobId ? [j.jobId] : []));
  const deadline = Date.now() + opts.waitTimeoutMs;
  const view = progressView(io, opts.json);
  let found = new Map<string, JobSummary>();
  let states: BlobProgress[] = [];
  let timedOut = false;
  try {
    for (;;) {
      if (ids.length) found = new Map((await cluster.coordinator.listJobs({ jobIds: ids })).jobs.map((j) => [j.jobId, j]));
      states = res.jobs.map((j) => progressOf(j, found));
      view.update(states);
      if (states.every((s) => TERMINAL.has(s.status))) break;
      if (Date.now() >= deadline) {
        timedOut = true;
        break;
      }
      if (opts.signal?.aborted) throw new CliError('interrupted; the seeder jobs go on (see `accelerboat jobs`)', 130);
      await sleep(opts.pollMs, undefined, { signal: opts.signal }).catch(() => undefined);
    }
  } finally {
    view.stop();
  }
  const jobs = res.jobs.map((j, i) => {
    const status = states[i]!.status;
    const result: PreloadResult = TERMINAL.has(status) ? (status as PreloadResult) : timedOut ? 'timeout' : 'failed';
    const job = j.jobId ? found.get(j.jobId) : undefined;
    return { ...j, result, ...(job ? { job } : {}) };
  });
  return { ...res, jobs, complete: jobs.every((j) => j.result === 'held' || j.result === 'completed') };
}

function progressOf(j: PreloadJob, found: ReadonlyMap<string, JobSummary>): BlobProgress {
  const base = { digest: j.digest, kind: j.kind, total: j.size };
  if (j.status === 'held') return { ...base, status: 'held', bytes: j.size };
  if (!j.jobId) return { ...base, status: 'unassigned', bytes: 0 };
  const job = found.get(j.jobId);
  if (!job) return { ...base, status: 'gone', bytes: 0 };
  return { ...base, status: job.status, bytes: job.bytes, total: job.total ?? job.size ?? j.size };
}
