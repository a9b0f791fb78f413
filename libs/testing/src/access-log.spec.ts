import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { classify, parseAccessLogLine, parseChallenge, parseScope } from './index.js';

describe('parseAccessLogLine', () => {
  it('parses distribution 2.8 combined-format lines, including escaped quotes', () => {
    const e = parseAccessLogLine('127.0.0.1 - - [22/Nov/2026:06:44:47 +0000] "GET /v2/x/y/manifests/latest?ns=a%20b HTTP/1.1" 404 96 "" "foo \\"bar\\""');
    assert.deepEqual(e, {
      method: 'GET', path: '/v2/x/y/manifests/latest', query: 'ns=a%20b', status: 404, bytes: 96,
      userAgent: 'foo "bar"', time: '22/Nov/2026:06:44:47 +0000', kind: 'manifest', repository: 'x/y', reference: 'latest',
    });
  });

  it('ignores the logrus lines the registry also prints', () => {
    assert.equal(parseAccessLogLine('time="2026-11-22T06:44:46Z" level=info msg="response completed" http.request.method=GET'), undefined);
  });
});

describe('classify', () => {
  it('tells blobs, manifests, uploads, tags and the base endpoint apart', () => {
    const d = `sha256:${'a'.repeat(64)}`;
    assert.deepEqual(classify(`/v2/a/b/c/blobs/${d}`), { kind: 'blob', repository: 'a/b/c', reference: d });
    assert.deepEqual(classify('/v2/a/blobs/uploads/'), { kind: 'upload', repository: 'a' });
    assert.deepEqual(classify('/v2/a/blobs/uploads/123-abc'), { kind: 'upload', repository: 'a' });
    assert.deepEqual(classify('/v2/a/tags/list'), { kind: 'tags', repository: 'a' });
    assert.deepEqual(classify('/v2/'), { kind: 'base' });
    assert.deepEqual(classify('/metrics'), { kind: 'other' });
  });
});

describe('parseChallenge', () => {
  it('reads scheme and quoted parameters', () => {
    assert.deepEqual(parseChallenge('Bearer realm="http://127.0.0.1:1/token",service="reg",scope="repository:a/b:pull,push"'), {
      scheme: 'bearer',
      params: { realm: 'http://127.0.0.1:1/token', service: 'reg', scope: 'repository:a/b:pull,push' },
    });
    assert.deepEqual(parseChallenge('Basic realm="x"'), { scheme: 'basic', params: { realm: 'x' } });
  });
});

describe('parseScope', () => {
  it('keeps colons of a registry port in the name', () => {
    assert.deepEqual(parseScope('repository:localhost:5000/a:pull,push'), { type: 'repository', name: 'localhost:5000/a', actions: ['pull', 'push'] });
    assert.equal(parseScope('bogus'), undefined);
  });
});
