import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenCache, type TokenKey } from './token-cache.js';

function fakeClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

const key = (over: Partial<TokenKey> = {}): TokenKey => ({ registry: 'r.example', service: 'svc', scopes: ['repository:a/b:pull'], credential: 'fp1', ...over });

describe('TokenCache', () => {
  it('serves a token until expires_in minus a 10% margin (at most 10 s)', () => {
    const clock = fakeClock();
    const cache = new TokenCache({ clock: clock.now });
    cache.set(key(), 't300', 300);
    clock.advance(289_999);
    assert.equal(cache.get(key())?.token, 't300');
    clock.advance(1);
    assert.equal(cache.get(key()), undefined);
    assert.equal(cache.size, 0, 'expired entries are dropped');
  });

  it('uses 60 s when expires_in is absent, zero, negative or not a number', () => {
    for (const expiresIn of [undefined, 0, -5, Number.NaN]) {
      const clock = fakeClock();
      const cache = new TokenCache({ clock: clock.now });
      cache.set(key(), 't', expiresIn);
      clock.advance(53_999);
      assert.equal(cache.get(key())?.token, 't', String(expiresIn));
      clock.advance(1);
      assert.equal(cache.get(key()), undefined, String(expiresIn));
    }
  });

  it('keys by registry, service, scope set (any order) and credential fingerprint', () => {
    const cache = new TokenCache();
    cache.set(key({ scopes: ['repository:a/b:pull', 'repository:c/d:pull'] }), 'two');
    assert.equal(cache.get(key({ scopes: ['repository:c/d:pull', 'repository:a/b:pull'] }))?.token, 'two');
    for (const other of [{ registry: 'x.example' }, { service: 'other' }, { scopes: ['repository:a/b:pull'] }, { credential: 'fp2' }]) {
      assert.equal(cache.get(key({ scopes: ['repository:a/b:pull', 'repository:c/d:pull'], ...other })), undefined, JSON.stringify(other));
    }
    // Parts are encoded unambiguously: moving characters between parts gives another key.
    assert.notEqual(TokenCache.key(key({ registry: 'a', service: 'bc' })), TokenCache.key(key({ registry: 'ab', service: 'c' })));
  });

  it('evicts the least recently used entry beyond maxEntries', () => {
    const cache = new TokenCache({ maxEntries: 2 });
    cache.set(key({ credential: 'a' }), 'A');
    cache.set(key({ credential: 'b' }), 'B');
    cache.get(key({ credential: 'a' }));
    cache.set(key({ credential: 'c' }), 'C');
    assert.equal(cache.size, 2);
    assert.equal(cache.get(key({ credential: 'b' })), undefined);
    assert.equal(cache.get(key({ credential: 'a' }))?.token, 'A');
  });

  it('forgets a deleted token and replaces on set', () => {
    const cache = new TokenCache();
    cache.set(key(), 'old');
    cache.set(key(), 'new');
    assert.equal(cache.get(key())?.token, 'new');
    cache.delete(key());
    assert.equal(cache.get(key()), undefined);
  });
});
