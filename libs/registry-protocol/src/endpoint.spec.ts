import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defineEndpoint, ServiceNames, subjectFor, subjectParams } from './endpoint.js';
import { ProtocolError } from './errors.js';
import { AckResponse } from './messages/ack.js';
import { LookupLayerRequest } from './messages/layer-index.js';

const base = { service: ServiceNames.layerIndexer, description: 'test', request: LookupLayerRequest, response: AckResponse };

describe('subjectFor', () => {
  it('fills every placeholder with its parameter', () => {
    assert.equal(subjectFor('p2p.layer-indexer.{node}.layer.verify.v1', { node: 'node-1' }), 'p2p.layer-indexer.node-1.layer.verify.v1');
    assert.equal(subjectFor('p2p.tracker.stats.get.v1'), 'p2p.tracker.stats.get.v1');
  });

  it('refuses wildcards, separators, empty values and spaces', () => {
    for (const bad of ['*', '>', 'a.b', '.', '', ' ', 'a b', 'node\n', 'x'.repeat(129), 'nöde']) {
      assert.throws(
        () => subjectFor('p2p.x.{node}.y.v1', { node: bad }),
        (e: unknown) => ProtocolError.is(e, 'INVALID_ARGUMENT') && /not a single safe token/.test(e.message),
        JSON.stringify(bad),
      );
    }
  });

  it('refuses a missing parameter, including one only present on the prototype', () => {
    assert.throws(() => subjectFor('p2p.x.{node}.y.v1', {}), /node is missing/);
    assert.throws(() => subjectFor('p2p.x.{constructor}.y.v1', {}), /constructor is missing/);
  });

  it('lists the placeholders of a template', () => {
    assert.deepEqual(subjectParams('p2p.seeder.{seeder}.job.assign.v1'), ['seeder']);
    assert.deepEqual(subjectParams('p2p.tracker.stats.get.v1'), []);
  });
});

describe('defineEndpoint', () => {
  it('accepts a conventional endpoint and freezes it', () => {
    const e = defineEndpoint({ ...base, name: 'layer-lookup', subject: 'p2p.layer-indexer.layer.lookup.v1' });
    assert.ok(Object.isFrozen(e));
  });

  it('refuses endpoint names that are not kebab-case', () => {
    for (const name of ['LayerLookup', 'layer_lookup', 'layer.lookup', 'layer lookup', '-layer', 'layer-', '', 'a--b']) {
      assert.throws(() => defineEndpoint({ ...base, name, subject: 'p2p.layer-indexer.layer.lookup.v1' }), /kebab-case/, name);
    }
  });

  it('refuses subjects outside the service prefix, without a version, or with wildcards', () => {
    for (const subject of ['p2p.tracker.layer.lookup.v1', 'layer-indexer.layer.lookup.v1', 'p2p.layer-indexer.layer.lookup', 'p2p.layer-indexer.layer.*.v1', 'p2p.layer-indexer.layer.>', 'p2p.layer-indexer..lookup.v1', 'p2p.layer-indexer.lookup.v1', 'p2p.layer-indexer.Layer.lookup.v1']) {
      assert.throws(() => defineEndpoint({ ...base, name: 'x', subject }), /subject/, subject);
    }
  });
});
