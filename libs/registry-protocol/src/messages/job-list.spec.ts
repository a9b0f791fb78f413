import { describe, it } from 'node:test';
import { assertRejected, digestFixture } from '../testing/fixtures.js';
import { validateMessage } from '../validate.js';
import { ListJobsRequest, ListJobsResponse } from './job-list.js';

const job = {
  jobId: 'job-1',
  digest: digestFixture(),
  registry: 'ghcr.io',
  repository: 'org/app',
  status: 'running',
  seederId: 'seeder-0',
  url: 'http://10.0.0.9:5083',
  bytes: 10,
  total: 100,
  attempts: 1,
  createdAt: '2024-05-01T10:00:00.000Z',
  updatedAt: '2024-05-01T10:00:01.000Z',
};

describe('ListJobsRequest and ListJobsResponse', () => {
  it('accept an empty request, a limit, job ids and a listing', () => {
    validateMessage(ListJobsRequest, {});
    validateMessage(ListJobsRequest, { limit: 20 });
    validateMessage(ListJobsRequest, { jobIds: ['job-1', 'job-2'] });
    validateMessage(ListJobsResponse, { jobs: [job, { ...job, jobId: 'job-2', status: 'pending', seederId: undefined, url: undefined, bytes: 0 }] });
    validateMessage(ListJobsResponse, { jobs: [{ ...job, status: 'failed', reason: 'upstream answered 404' }] });
  });

  it('reject limits out of range, wildcard job ids, unknown statuses and credentials', () => {
    assertRejected(ListJobsRequest, { limit: 0 }, 'limit');
    assertRejected(ListJobsRequest, { limit: 1001 }, 'limit');
    assertRejected(ListJobsRequest, { jobIds: ['job.>'] }, 'jobIds');
    assertRejected(ListJobsResponse, { jobs: [{ ...job, status: 'lost' }] }, 'jobs.0.status');
    assertRejected(ListJobsResponse, { jobs: [{ ...job, authorization: 'Bearer x' }] }, 'jobs.0.authorization');
    assertRejected(ListJobsResponse, { jobs: [{ ...job, reason: 'a\nb' }] }, 'jobs.0.reason');
  });
});
