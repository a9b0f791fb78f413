import type { JobSummary } from '@accelerboat/registry-protocol';
import { formatAge, formatBytes, percent, shortDigest } from '../format.js';
import { printJson, type Io } from '../io.js';
import { renderTable } from '../table.js';
import type { Cluster } from '../cluster.js';

/** `4.0 MiB/8.0 MiB 50%`, or what is known of it. */
export function jobProgress(j: Pick<JobSummary, 'bytes' | 'total' | 'size'>): string {
  const total = j.total ?? j.size;
  const pct = percent(j.bytes, total);
  return total === undefined ? formatBytes(j.bytes) : `${formatBytes(j.bytes)}/${formatBytes(total)}${pct === undefined ? '' : ` ${pct}%`}`;
}

/** The table rows of jobs, newest first. */
export function jobRows(jobs: readonly JobSummary[], now = Date.now()): string[][] {
  return jobs.map((j) => [j.jobId, j.status, shortDigest(j.digest), `${j.registry}/${j.repository}`, j.seederId ?? '-', jobProgress(j), formatAge(j.createdAt, now), j.reason ?? '']);
}

/** Recent seeder download jobs with their progress (`--active` keeps the unfinished ones). */
export async function jobsCommand(cluster: Cluster, io: Io, opts: { json: boolean; limit: number; active: boolean }): Promise<void> {
  const { jobs } = await cluster.coordinator.listJobs({ limit: opts.limit });
  const shown = opts.active ? jobs.filter((j) => j.status !== 'completed' && j.status !== 'failed') : jobs;
  if (opts.json) return printJson(io, { jobs: shown });
  if (!shown.length) return io.out(opts.active ? 'no active jobs' : 'no jobs');
  const columns = [{ header: 'job' }, { header: 'status' }, { header: 'digest' }, { header: 'image' }, { header: 'seeder' }, { header: 'progress', align: 'right' as const }, { header: 'age', align: 'right' as const }, { header: 'reason' }];
  for (const line of renderTable(columns, jobRows(shown))) io.out(line);
}
