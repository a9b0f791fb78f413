import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { holdLastByte } from './hold-tail.js';

/** Feeds chunks through, then either ends or fails the source; returns what came out before that. */
async function run(expectedSize: number | undefined, chunks: Buffer[], fail: boolean): Promise<{ out: Buffer; ended: boolean }> {
  const src = new PassThrough();
  const hold = holdLastByte(expectedSize);
  const parts: Buffer[] = [];
  hold.on('data', (c: Buffer) => parts.push(c));
  hold.on('error', () => undefined); // the failure is the point of one case
  src.pipe(hold);
  for (const c of chunks) src.write(c);
  await new Promise((r) => setImmediate(r));
  const before = Buffer.concat(parts);
  if (fail) {
    hold.destroy(new Error('digest mismatch'));
    return { out: before, ended: false };
  }
  src.end();
  await new Promise((r) => hold.on('end', r));
  return { out: Buffer.concat(parts), ended: true };
}

describe('holdLastByte', () => {
  const chunks = [Buffer.from('abcd'), Buffer.from('efgh'), Buffer.from('ij')];
  for (const size of [undefined, 10]) {
    it(`passes every byte once the source ends (size ${size ?? 'unknown'})`, async () => {
      assert.equal((await run(size, chunks, false)).out.toString(), 'abcdefghij');
    });

    it(`has not released the final byte while the source is still open (size ${size ?? 'unknown'})`, async () => {
      const r = await run(size, chunks, true);
      assert.equal(r.out.toString(), 'abcdefghi');
    });
  }
});
