import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ListJobsResponse, ListNodesResponse, validateMessage } from '@accelerboat/registry-protocol';
import { ClusterViews } from './cluster-views.js';
import { jobFixture } from './job-store.conformance.js';
import type { JobRecord } from './job.js';
import type { SeederStatus } from './seeder-registry.js';

const at = Date.UTC(2024, 4, 1, 10);

describe('ClusterViews', () => {
  const running: JobRecord = { ...jobFixture(undefined, at), jobId: 'job-1', status: 'running', seederId: 'seeder-0', url: 'http://seeder-0:5083', bytes: 5, total: 10, attempts: 1 };
  const failed: JobRecord = { ...jobFixture(undefined, at), jobId: 'job-2', status: 'failed', reason: `line one\nline two ${'x'.repeat(2000)}` };
  const jobs = {
    listJobs: async (limit: number) => [running, failed].slice(0, limit),
    jobs: async (ids: readonly string[]) => [running, failed].filter((j) => ids.includes(j.jobId)),
  };
  const beat: SeederStatus = { seederId: 'seeder-0', url: 'http://seeder-0:5083', activeJobs: 1, maxJobs: 4, load: 0.25, version: '0.1.0', seenAt: at };
  const views = new ClusterViews(jobs, { live: async () => [beat] });

  it('lists recent jobs or the named ones as valid DTOs, reasons made one bounded line', async () => {
    const all = await views.listJobs({});
    validateMessage(ListJobsResponse, all);
    assert.deepEqual(all.jobs.map((j) => j.jobId), ['job-1', 'job-2']);
    assert.equal(all.jobs[0]!.createdAt, '2024-05-01T10:00:00.000Z');
    assert.ok(!all.jobs[1]!.reason!.includes('\n') && all.jobs[1]!.reason!.length <= 1024);
    assert.deepEqual((await views.listJobs({ limit: 1 })).jobs.length, 1);
    assert.deepEqual((await views.listJobs({ jobIds: ['job-2', 'nope'] })).jobs.map((j) => j.jobId), ['job-2']);
  });

  it('lists live seeders with exactly the wire fields', async () => {
    const nodes = await views.listNodes();
    validateMessage(ListNodesResponse, nodes);
    assert.deepEqual(nodes.seeders, [{ seederId: 'seeder-0', url: 'http://seeder-0:5083', activeJobs: 1, maxJobs: 4, load: 0.25, version: '0.1.0', lastSeen: '2024-05-01T10:00:00.000Z' }]);
  });
});
