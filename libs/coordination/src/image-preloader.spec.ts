import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryLayerIndex } from '@accelerboat/layer-index';
import type { EnsureJobRequest, JobTicket } from './job.js';
import { FakeManifests, desc, manifestDoc, sha } from './image.fixture.js';
import { ImagePreloader } from './image-preloader.js';
import { ImageResolver } from './image-resolver.js';

const query = { registry: 'ghcr.io', repository: 'org/app', reference: 'v1', authorization: 'Bearer t0k' };

/** Starts jobs on one seeder unless told to refuse or fail a digest. */
class FakeJobs {
  readonly asked: EnsureJobRequest[] = [];
  readonly refuse = new Set<string>();
  readonly fail = new Set<string>();

  async ensureJob(req: EnsureJobRequest): Promise<JobTicket | undefined> {
    this.asked.push(req);
    if (this.fail.has(req.digest)) throw new Error('redis away');
    if (this.refuse.has(req.digest)) return undefined;
    return { jobId: `job-${this.asked.length}`, seederId: 'seeder-0', url: 'http://seeder-0:5083' };
  }
}

describe('ImagePreloader', () => {
  let manifests: FakeManifests;
  let index: MemoryLayerIndex;
  let jobs: FakeJobs;
  let errors: unknown[];
  let preloader: ImagePreloader;
  beforeEach(() => {
    manifests = new FakeManifests();
    index = new MemoryLayerIndex();
    jobs = new FakeJobs();
    errors = [];
    preloader = new ImagePreloader(new ImageResolver(manifests), index, jobs, { concurrency: 2, onJobError: (e) => errors.push(e) });
  });

  it('starts a job for each blob nobody holds, config included, once per digest, with the credential', async () => {
    manifests.add(manifestDoc([desc('a', 10), desc('b', 20), desc('a', 10)]), 'v1');
    await index.announce('node-b', 'http://node-b:5080', [{ digest: sha('b'), size: 20, source: 'edge-cache' }], 60);
    const res = await preloader.preload(query);
    assert.deepEqual(
      res.jobs.map((j) => [j.kind, j.digest, j.status, j.jobId ?? null]),
      [
        ['config', sha('config'), 'assigned', 'job-1'],
        ['layer', sha('a'), 'assigned', 'job-2'],
        ['layer', sha('b'), 'held', null],
      ],
    );
    assert.deepEqual(jobs.asked[1], { digest: sha('a'), size: 10, registry: 'ghcr.io', repository: 'org/app', authorization: 'Bearer t0k' });
    assert.equal(res.jobs[0]!.seederId, 'seeder-0');
  });

  it('reports blobs no seeder took, or whose job could not start, as unassigned with a reason', async () => {
    manifests.add(manifestDoc([desc('a', 10), desc('b', 20)]), 'v1');
    jobs.refuse.add(sha('a'));
    jobs.fail.add(sha('b'));
    const res = await preloader.preload(query);
    assert.deepEqual(res.jobs.slice(1).map((j) => [j.status, j.reason]), [
      ['unassigned', 'no live seeder accepted the job'],
      ['unassigned', 'the job could not be started (see the coordinator log)'],
    ]);
    assert.equal(errors.length, 1);
    assert.ok(!JSON.stringify(res).includes('t0k'), 'no credential in the answer');
  });
});
