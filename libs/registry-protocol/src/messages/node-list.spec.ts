import { describe, it } from 'node:test';
import { assertRejected } from '../testing/fixtures.js';
import { validateMessage } from '../validate.js';
import { ListNodesRequest, ListNodesResponse } from './node-list.js';

const seeder = { seederId: 'seeder-0', url: 'http://10.0.0.9:5083', activeJobs: 1, maxJobs: 4, load: 0.25, lastSeen: '2024-05-01T10:00:00.000Z' };

describe('ListNodesRequest and ListNodesResponse', () => {
  it('accept the empty request and a listing with optional figures', () => {
    validateMessage(ListNodesRequest, {});
    validateMessage(ListNodesResponse, { seeders: [] });
    validateMessage(ListNodesResponse, { seeders: [seeder, { ...seeder, seederId: 'seeder-1', bytesServed: 5, version: '0.1.0' }] });
  });

  it('reject parameters, bad ids, negative load and missing timestamps', () => {
    assertRejected(ListNodesRequest, { all: true }, 'all');
    assertRejected(ListNodesResponse, { seeders: [{ ...seeder, seederId: 'a.b' }] }, 'seeders.0.seederId');
    assertRejected(ListNodesResponse, { seeders: [{ ...seeder, load: -1 }] }, 'seeders.0.load');
    assertRejected(ListNodesResponse, { seeders: [{ ...seeder, lastSeen: 'yesterday' }] }, 'seeders.0.lastSeen');
  });
});
