import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError } from './errors.js';
import { idProblem, isJobId, isNodeId, nodeIdFromNodeName } from './ids.js';
import { HOSTILE_STRINGS, NON_STRINGS } from './testing/fixtures.js';

describe('isNodeId', () => {
  it('accepts letters, digits, "_" and "-" up to 128 characters', () => {
    for (const id of ['node-1', 'ip-10-0-1-7_ec2_internal', 'A_b-C', 'x'.repeat(128)]) assert.ok(isNodeId(id), id);
    assert.ok(isJobId('job_01HXYZ'));
  });

  it('rejects anything that would not be exactly one NATS subject token', () => {
    for (const bad of ['a.b', '*', '>', 'a*', 'a>', 'a b', 'a\tb', '$SYS', 'x'.repeat(129), ...HOSTILE_STRINGS]) {
      assert.equal(isNodeId(bad), false, JSON.stringify(bad));
    }
  });

  it('explains why, and rejects non-strings', () => {
    assert.equal(idProblem(''), 'must not be empty');
    assert.equal(idProblem('x'.repeat(129)), 'must be at most 128 characters');
    assert.match(idProblem('a.b')!, /NATS subject token/);
    for (const bad of NON_STRINGS) assert.equal(idProblem(bad), 'must be a string');
  });
});

describe('nodeIdFromNodeName', () => {
  it('turns the dots of a Kubernetes node name into underscores', () => {
    assert.equal(nodeIdFromNodeName('ip-10-0-1-7.ec2.internal'), 'ip-10-0-1-7_ec2_internal');
    assert.equal(nodeIdFromNodeName('worker-1'), 'worker-1');
  });

  it('refuses names that still do not fit the grammar', () => {
    assert.throws(() => nodeIdFromNodeName('a'.repeat(200)), (e: unknown) => ProtocolError.is(e, 'INVALID_ARGUMENT'));
    assert.throws(() => nodeIdFromNodeName(''), ProtocolError);
  });
});
