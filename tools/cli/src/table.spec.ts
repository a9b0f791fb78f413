import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatAge, formatBytes, formatDuration, percent, printable, shortDigest } from './format.js';
import { renderTable } from './table.js';

describe('renderTable', () => {
  it('aligns columns under upper-case headers, numbers to the right, without trailing spaces', () => {
    const lines = renderTable(
      [{ header: 'service' }, { header: 'requests', align: 'right' }, { header: 'note' }],
      [
        ['edge-proxy', '7', ''],
        ['master-coordinator', '1234', 'ok'],
      ],
    );
    assert.deepEqual(lines, ['SERVICE             REQUESTS  NOTE', 'edge-proxy                 7', 'master-coordinator      1234  ok']);
  });

  it('makes cells from the network printable and fills missing cells', () => {
    const [, row] = renderTable([{ header: 'a' }, { header: 'b' }], [['x\u001b[2Jy']]);
    assert.equal(row, 'x?[2Jy');
    assert.deepEqual(renderTable([{ header: 'only' }], []), ['ONLY']);
  });
});

describe('formatting', () => {
  it('formats bytes in binary units', () => {
    assert.deepEqual([0, 1023, 1536, 4 * 1024 * 1024, 3 * 1024 ** 4].map(formatBytes), ['0 B', '1023 B', '1.5 KiB', '4.0 MiB', '3.0 TiB']);
    assert.equal(formatBytes(-1), '?');
  });

  it('shortens digests, durations and ages, and computes capped percentages', () => {
    assert.equal(shortDigest(`sha256:${'0123456789ab'.repeat(5)}abcd`), 'sha256:0123456789ab');
    assert.deepEqual([999, 61_000, 7_200_000, 3 * 86_400_000].map(formatDuration), ['0s', '1m', '2h', '3d']);
    assert.equal(formatAge('2024-05-01T10:00:00.000Z', Date.parse('2024-05-01T10:00:42.000Z')), '42s');
    assert.equal(formatAge('not a date'), '?');
    assert.deepEqual([percent(50, 200), percent(300, 200), percent(0, 0), percent(5, undefined)], [25, 100, 100, undefined]);
    assert.equal(printable('a\nb\u009bc'), 'a?b?c');
  });
});
