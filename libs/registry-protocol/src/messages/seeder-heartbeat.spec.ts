import { describe, it } from 'node:test';
import { assertRejected } from '../testing/fixtures.js';
import { validateMessage } from '../validate.js';
import { SeederHeartbeatRequest } from './seeder-heartbeat.js';

const beat = { seederId: 'seeder-0', url: 'http://10.0.0.9:5001', activeJobs: 2, maxJobs: 4, load: 0.5 };

describe('SeederHeartbeatRequest', () => {
  it('accepts a heartbeat, including an overloaded one with optional figures', () => {
    validateMessage(SeederHeartbeatRequest, beat);
    validateMessage(SeederHeartbeatRequest, { ...beat, load: 1.7, bytesServed: 1e12, version: '0.1.0' });
  });

  it('rejects negative or non-finite load, fractional job counts and a URL without scheme', () => {
    assertRejected(SeederHeartbeatRequest, { ...beat, load: -0.1 }, 'load');
    assertRejected(SeederHeartbeatRequest, { ...beat, load: 'high' }, 'load');
    assertRejected(SeederHeartbeatRequest, { ...beat, activeJobs: 1.5 }, 'activeJobs');
    assertRejected(SeederHeartbeatRequest, { ...beat, url: '10.0.0.9:5001' }, 'url');
    assertRejected(SeederHeartbeatRequest, { ...beat, version: 'v1\u001b[31m' }, 'version');
  });
});
