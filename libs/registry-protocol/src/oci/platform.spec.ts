import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError } from '../errors.js';
import { formatPlatform, parsePlatform, platformProblem } from './platform.js';

describe('platforms', () => {
  it('parse os/architecture with an optional variant and format back', () => {
    assert.deepEqual(parsePlatform('linux/amd64'), { os: 'linux', architecture: 'amd64' });
    assert.deepEqual(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64', variant: 'v8' });
    assert.equal(formatPlatform(parsePlatform('linux/arm/v7')), 'linux/arm/v7');
  });

  it('refuse other shapes, uppercase and separators with INVALID_ARGUMENT', () => {
    for (const bad of ['linux', 'linux/', '/amd64', 'linux/amd64/v8/x', 'Linux/amd64', 'linux/amd 64', 'linux/*', `linux/${'a'.repeat(40)}`]) {
      assert.ok(platformProblem(bad), bad);
      assert.throws(() => parsePlatform(bad), (e: unknown) => ProtocolError.is(e, 'INVALID_ARGUMENT'), bad);
    }
    assert.equal(platformProblem(42), 'must be a string');
  });
});
