import type { JobPatch, JobRecord } from './job.js';

/** The condition and lifetime of one job update. */
export interface JobUpdateOptions {
  /**
   * The seeder the job must still be assigned to ('' for a pending job). A report from a seeder
   * the job was taken away from, or a second reassignment racing the first, changes nothing.
   */
  ifSeeder: string;
  /** New lifetime of the record (and of its digest binding while active). */
  ttlMs: number;
  /** Ends the job: unbinds its digest, forgets its credential, drops it from the active set. */
  final?: boolean;
}

/** Releases a lock taken with JobStore.lock. */
export type Unlock = () => Promise<void>;

/**
 * Cluster-wide job records. Each method is one atomic step, because any coordinator replica may
 * handle any report about any job.
 */
export interface JobStore {
  /**
   * Stores a new job and binds its digest to it, unless the digest is already bound to another
   * job; returns the job id the digest is bound to (the new one when it was created).
   */
  create(job: JobRecord, authorization: string | undefined, ttlMs: number): Promise<string>;
  /** The job, unless it expired. */
  get(jobId: string): Promise<JobRecord | undefined>;
  /** The active job bound to a digest, if any. */
  jobOf(digest: string): Promise<string | undefined>;
  /** Applies `patch` if the job exists, is not finished and still has `ifSeeder`; true if applied. */
  update(jobId: string, patch: JobPatch, options: JobUpdateOptions): Promise<boolean>;
  /** The credential the job was created with, kept for reassignment only. */
  authorization(jobId: string): Promise<string | undefined>;
  /** Every job not yet finished, oldest first. */
  active(): Promise<JobRecord[]>;
  /** The most recent jobs, finished or not, newest first. */
  recent(limit: number): Promise<JobRecord[]>;
  /** Takes a named cluster-wide lock for `ttlMs`; undefined when someone else holds it. */
  lock(name: string, ttlMs: number): Promise<Unlock | undefined>;
}

/** How many finished jobs `recent` remembers, newest first. */
export const RECENT_JOBS_MAX = 1000;
