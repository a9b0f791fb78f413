import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { REDACTED_PATHS } from './logger.js';

describe('logger redaction', () => {
  it('never writes authorization headers, passwords or tokens', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) });
    const log = pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink);
    log.info({ headers: { authorization: 'Basic YWxpY2U6czNjcmV0' }, password: 's3cret', req: { token: 'jwt.abc' } }, 'x');
    const out = lines.join('');
    assert.ok(!out.includes('YWxpY2U6czNjcmV0') && !out.includes('s3cret') && !out.includes('jwt.abc'), out);
    assert.match(out, /\[redacted\]/);
  });
});
