import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Events, EVENTS_WILDCARD, makeEvent } from './events.js';
import { digestFixture } from './testing/fixtures.js';

describe('Events', () => {
  it('puts every event under the wildcard prefix, with unique subjects', () => {
    const subjects = Object.values(Events);
    assert.equal(new Set(subjects).size, subjects.length);
    for (const s of subjects) assert.match(s, /^p2p\.events\.[a-z]+\.[a-z]+$/);
    assert.equal(EVENTS_WILDCARD, 'p2p.events.>');
  });
});

describe('makeEvent', () => {
  it('builds the subject and an envelope whose type is the subject without the prefix', () => {
    const at = new Date('2024-01-02T03:04:05.000Z');
    const source = { service: 'master-coordinator', instance: 'coord-0' } as const;
    const data = { nodeId: 'n1', digest: digestFixture(), step: 'upstream-remaining', reason: 'peer stalled' } as const;
    const { subject, envelope } = makeEvent('fallbackTaken', source, data, at);
    assert.equal(subject, 'p2p.events.fallback.taken');
    assert.deepEqual(envelope, { type: 'fallback.taken', at: '2024-01-02T03:04:05.000Z', source, data });
  });
});
