import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError } from '@accelerboat/registry-protocol';
import { MemoryFlightStore, type FlightStore } from './flight-store.js';
import { ManualClock, settle } from './manual-clock.fixture.js';
import { flightKey, SharedSingleFlight, type FlightFallback } from './shared-single-flight.js';
import { InProcessSingleFlight } from './single-flight.js';

const opts = { resultTtlMs: 5000, lockTtlMs: 3000, waitMs: 10_000 };

/** A deferred: work that finishes when the test says so. */
function gate<T>(): { promise: Promise<T>; open: (v: T) => void; fail: (e: unknown) => void } {
  let open!: (v: T) => void;
  let fail!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((open = res), (fail = rej)));
  return { promise, open, fail };
}

describe('InProcessSingleFlight.run', () => {
  it('shares one running call among concurrent callers of a key, then forgets it', async () => {
    const sf = new InProcessSingleFlight();
    let calls = 0;
    const g = gate<number>();
    const work = (): Promise<number> => (calls++, g.promise);
    const all = Promise.all([sf.run('k', opts, work), sf.run('k', opts, work), sf.run('k', opts, work)]);
    g.open(7);
    assert.deepEqual(await all, [7, 7, 7]);
    assert.equal(calls, 1);
    assert.equal(sf.inFlight, 0);
    assert.equal(await sf.run('k', opts, async () => 8), 8);
  });

  it('shares a failure with the callers of that moment only', async () => {
    const sf = new InProcessSingleFlight();
    const boom = (): Promise<number> => Promise.reject(new ProtocolError('UPSTREAM_ERROR', 'x'));
    await assert.rejects(Promise.all([sf.run('k', opts, boom), sf.run('k', opts, boom)]), (e) => ProtocolError.is(e, 'UPSTREAM_ERROR'));
    assert.equal(await sf.run('k', opts, async () => 1), 1);
  });

  it('sends only the first of concurrent callers on to the shared layer', async () => {
    const store = new MemoryFlightStore(new ManualClock());
    let enters = 0;
    const counting: FlightStore = { ...bind(store), enter: (...a) => (enters++, store.enter(...a)) };
    const sf = new InProcessSingleFlight(new SharedSingleFlight(counting));
    await Promise.all([sf.run('k', opts, async () => 1), sf.run('k', opts, async () => 1)]);
    assert.equal(enters, 1);
  });
});

function bind(store: FlightStore): FlightStore {
  return { enter: store.enter.bind(store), settle: store.settle.bind(store), renew: store.renew.bind(store) };
}

describe('SharedSingleFlight.run', () => {
  const setup = (extra: { onFallback?: (r: FlightFallback) => void } = {}) => {
    const clock = new ManualClock();
    const store = new MemoryFlightStore(clock);
    const replicas = [0, 1, 2].map(() => new SharedSingleFlight(store, { clock, ...extra }));
    return { clock, store, replicas };
  };

  it('runs the work once across replicas and hands every caller the result', async () => {
    const { clock, replicas } = setup();
    let calls = 0;
    const g = gate<{ n: number }>();
    const runs = Array.from({ length: 12 }, (_, i) => replicas[i % 3]!.run('k', opts, () => (calls++, g.promise)));
    await clock.advance(100);
    g.open({ n: 1 });
    await clock.advance(500);
    assert.deepEqual(await Promise.all(runs), Array(12).fill({ n: 1 }));
    assert.equal(calls, 1);
  });

  it('reuses the result until resultTtlMs has passed, then runs the work again', async () => {
    const { clock, replicas } = setup();
    let calls = 0;
    const work = async (): Promise<number> => ++calls;
    assert.equal(await replicas[0]!.run('k', opts, work), 1);
    await clock.advance(opts.resultTtlMs - 1);
    assert.equal(await replicas[1]!.run('k', opts, work), 1);
    await clock.advance(1);
    assert.equal(await replicas[2]!.run('k', opts, work), 2);
  });

  it('lets a waiter take over when the owner died and its lock expired', async () => {
    const { clock, store, replicas } = setup();
    assert.equal((await store.enter(flightKey('k'), 'dead-owner', opts.lockTtlMs)).state, 'owner');
    let done: number | undefined;
    void replicas[0]!.run('k', opts, async () => 42).then((v) => (done = v));
    await clock.advance(opts.lockTtlMs - 10);
    assert.equal(done, undefined, 'still waiting while the lock lives');
    await clock.advance(50);
    assert.equal(done, 42);
  });

  it('keeps the lock of a live owner whose work outlasts lockTtlMs, so nobody runs it twice', async () => {
    const { clock, replicas } = setup();
    let calls = 0;
    const g = gate<number>();
    const first = replicas[0]!.run('k', opts, () => (calls++, g.promise));
    await settle();
    const second = replicas[1]!.run('k', opts, async () => (calls++, -1));
    await clock.advance(opts.lockTtlMs * 3);
    g.open(5);
    await clock.advance(500);
    assert.deepEqual(await Promise.all([first, second]), [5, 5]);
    assert.equal(calls, 1);
  });

  it('runs the work itself once waitMs is exceeded, and says so', async () => {
    const fallbacks: FlightFallback[] = [];
    const { clock, replicas } = setup({ onFallback: (r) => fallbacks.push(r) });
    const slow = replicas[0]!.run('k', opts, () => new Promise<number>(() => undefined));
    void slow;
    await settle();
    let got: number | undefined;
    void replicas[1]!.run('k', { ...opts, waitMs: 1000 }, async () => 9).then((v) => (got = v));
    await clock.advance(999);
    assert.equal(got, undefined);
    await clock.advance(250);
    assert.equal(got, 9);
    assert.deepEqual(fallbacks, ['wait-exceeded']);
  });

  it('runs the work itself when the store is unavailable', async () => {
    const fallbacks: FlightFallback[] = [];
    const down: FlightStore = {
      enter: () => Promise.reject(new Error('ECONNREFUSED')),
      settle: () => Promise.reject(new Error('ECONNREFUSED')),
      renew: () => Promise.reject(new Error('ECONNREFUSED')),
    };
    const sf = new SharedSingleFlight(down, { clock: new ManualClock(), onFallback: (r) => fallbacks.push(r) });
    assert.equal(await sf.run('k', opts, async () => 3), 3);
    assert.deepEqual(fallbacks, ['store-unavailable']);
  });

  it('shares the owner failure with its waiters as the same code, briefly', async () => {
    const { clock, replicas } = setup();
    const g = gate<number>();
    const owner = replicas[0]!.run('k', opts, () => g.promise);
    await settle();
    const waiter = replicas[1]!.run('k', opts, async () => 0);
    const checks = Promise.all([
      assert.rejects(owner, (e) => ProtocolError.is(e, 'UNAUTHORIZED')),
      assert.rejects(waiter, (e) => ProtocolError.is(e, 'UNAUTHORIZED') && e.message === 'upstream said 401'),
    ]);
    g.fail(new ProtocolError('UNAUTHORIZED', 'upstream said 401'));
    await clock.advance(300);
    await checks;
    await clock.advance(1000);
    assert.equal(await replicas[2]!.run('k', opts, async () => 4), 4, 'the failure is not cached past errorTtlMs');
  });

  it('hides the message of an unexpected failure from waiters, not from the owner', async () => {
    const { clock, replicas } = setup();
    const g = gate<number>();
    const owner = replicas[0]!.run('k', opts, () => g.promise);
    await settle();
    const waiter = replicas[1]!.run('k', opts, async () => 0);
    const checks = Promise.all([
      assert.rejects(owner, /user:pw/),
      assert.rejects(waiter, (e) => ProtocolError.is(e, 'INTERNAL') && !e.message.includes('pw')),
    ]);
    g.fail(new Error('GET https://user:pw@registry failed'));
    await clock.advance(300);
    await checks;
  });
});

describe('flightKey', () => {
  it('keeps short printable keys readable and hashes long or unprintable ones', () => {
    assert.equal(flightKey('manifest:docker.io/library/alpine:3'), 'manifest:docker.io/library/alpine:3');
    assert.match(flightKey('x'.repeat(500)), /^sha256:[\w-]{43}$/);
    assert.match(flightKey('has space'), /^sha256:/);
    assert.notEqual(flightKey('a'.repeat(121)), flightKey('a'.repeat(122)));
  });
});

describe('SharedSingleFlight.run with resultTtlOf', () => {
  it('keeps each result for the life it names (0: not at all)', async () => {
    const clock = new ManualClock();
    const store = new MemoryFlightStore(clock);
    const [a, b] = [0, 1].map(() => new SharedSingleFlight(store, { clock }));
    let calls = 0;
    const ttl = { ...opts, resultTtlOf: (v: { life: number }) => v.life };
    assert.deepEqual(await a!.run('k', ttl, async () => (calls++, { life: 20_000 })), { life: 20_000 });
    await clock.advance(19_999);
    assert.deepEqual(await b!.run('k', ttl, async () => (calls++, { life: 0 })), { life: 20_000 });
    await clock.advance(1);
    assert.deepEqual(await b!.run('k', ttl, async () => (calls++, { life: 0 })), { life: 0 });
    assert.deepEqual(await a!.run('k', ttl, async () => (calls++, { life: 0 })), { life: 0 });
    assert.equal(calls, 3);
  });
});
