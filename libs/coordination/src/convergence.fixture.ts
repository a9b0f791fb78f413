// Fakes for the convergence services' unit specs: an in-memory upstream and replicas that share
// one in-memory flight store on a manual clock. Not exported from the package index.
import { createHash } from 'node:crypto';
import { Fingerprinter, type AccessProbe, type Credential, type Manifest, type ManifestHead, type ManifestOptions } from '@accelerboat/registry-client';
import { ConvergedCalls } from './converged-calls.js';
import type { ConvergenceKind, ConvergenceObserver } from './convergence-metrics.js';
import { MemoryFlightStore } from './flight-store.js';
import { ManualClock } from './manual-clock.fixture.js';
import { SharedSingleFlight } from './shared-single-flight.js';
import { InProcessSingleFlight } from './single-flight.js';
import type { Upstream } from './upstream.js';

/** One call the fake upstream received. */
export interface UpstreamCall {
  op: 'token' | 'head' | 'get' | 'access';
  registry: string;
  repository?: string;
  reference?: string;
  scopes?: string[];
  accept?: readonly string[];
  /** The credential as passed; undefined means "as the node". */
  credential?: Credential;
  probe?: AccessProbe;
}

/** An Upstream whose answers each test sets, recording every call. */
export class FakeUpstream implements Upstream {
  readonly calls: UpstreamCall[] = [];
  onToken: (call: UpstreamCall) => Promise<{ token: string; expiresIn: number }> = async () => ({ token: `tok-${this.calls.length}`, expiresIn: 300 });
  onManifest: (call: UpstreamCall) => Promise<Manifest> = async (call) => manifestFixture(`{"tag":"${call.reference}"}`);
  onHead: (call: UpstreamCall) => Promise<ManifestHead> = async (call) => {
    const m = await this.onManifest(call);
    return { digest: m.digest, mediaType: m.mediaType, size: m.size };
  };
  onAccess: (call: UpstreamCall) => Promise<boolean> = async () => true;

  count(op: UpstreamCall['op']): number {
    return this.calls.filter((c) => c.op === op).length;
  }

  token(registry: string, scopes: string[], credential: Credential): Promise<{ token: string; expiresIn: number }> {
    return this.onToken(this.record({ op: 'token', registry, scopes, credential }));
  }

  headManifest(registry: string, repository: string, reference: string, options: ManifestOptions = {}): Promise<ManifestHead> {
    return this.onHead(this.record({ op: 'head', registry, repository, reference, accept: options.accept, credential: options.credential }));
  }

  getManifest(registry: string, repository: string, reference: string, options: ManifestOptions = {}): Promise<Manifest> {
    return this.onManifest(this.record({ op: 'get', registry, repository, reference, accept: options.accept, credential: options.credential }));
  }

  checkPullAccess(registry: string, repository: string, credential: Credential, probe?: AccessProbe): Promise<boolean> {
    return this.onAccess(this.record({ op: 'access', registry, repository, credential, probe }));
  }

  private record(call: UpstreamCall): UpstreamCall {
    this.calls.push(call);
    return call;
  }
}

/** A manifest with these bytes and their real digest. */
export function manifestFixture(text: string, mediaType = 'application/vnd.oci.image.manifest.v1+json'): Manifest {
  const bytes = Buffer.from(text);
  return { bytes, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, mediaType, size: bytes.length };
}

/** Counts what a ConvergenceObserver is told. */
export class CountingObserver implements ConvergenceObserver {
  readonly upstream: string[] = [];
  readonly answers: string[] = [];

  upstreamRequest(kind: ConvergenceKind, outcome: string): void {
    this.upstream.push(`${kind}:${outcome}`);
  }

  answered(kind: ConvergenceKind, source: string): void {
    this.answers.push(`${kind}:${source}`);
  }
}

/** `n` coordinator replicas (their ConvergedCalls) on one shared flight store and a manual clock. */
export function replicasFixture(n = 2): { clock: ManualClock; observer: CountingObserver; calls: ConvergedCalls[] } {
  const clock = new ManualClock();
  const store = new MemoryFlightStore(clock);
  const observer = new CountingObserver();
  const calls = Array.from({ length: n }, () => new ConvergedCalls(new InProcessSingleFlight(new SharedSingleFlight(store, { clock })), { observer, waitMs: 5000 }));
  return { clock, observer, calls };
}

/** The fingerprinter every replica of a test shares (same key, as from one cluster secret). */
export const sharedFingerprints = new Fingerprinter(Buffer.alloc(32, 7));

/** A deferred: work that finishes when the test says so. */
export function gate<T>(): { promise: Promise<T>; open: (v: T) => void; fail: (e: unknown) => void } {
  let open!: (v: T) => void;
  let fail!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((open = res), (fail = rej)));
  return { promise, open, fail };
}

/** An `Authorization: Basic` value. */
export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
