#!/usr/bin/env node
// Runs compiled tests with node's test runner: `run-tests.mjs <unit|int|e2e|all> [dir ...]`.
// unit = *.spec.js, int = *.int-spec.js (real servers), e2e = *.e2e-spec.js. Dirs default to the
// whole workspace. Tests run from dist/ (tsc keeps decorator metadata, which Nest needs).
// Ends with one plain line `tests: N passed, N failed, N skipped` for CI to read.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, mkdtempSync, statSync } from 'node:fs';
import { join, resolve, relative } from 'node:path';
import { tmpdir } from 'node:os';

const root = resolve(import.meta.dirname, '..');
const [kind = 'all', ...dirs] = process.argv.slice(2);
const suffixes = { unit: ['.spec.js'], int: ['.int-spec.js'], e2e: ['.e2e-spec.js'], all: ['.spec.js', '.int-spec.js', '.e2e-spec.js'] }[kind];
if (!suffixes) {
  console.error(`usage: run-tests.mjs <unit|int|e2e|all> [dir ...]`);
  process.exit(2);
}
const roots = dirs.length ? dirs.map((d) => resolve(root, d)) : ['apps', 'libs', 'tools', 'deploy', 'e2e'].map((d) => join(root, d));

function* walk(dir) {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else yield p;
  }
}
const files = [];
for (const r of roots) {
  for (const f of walk(r)) {
    if (!f.includes(`${'/'}dist${'/'}`)) continue;
    const base = f.slice(f.lastIndexOf('/') + 1);
    const k = base.endsWith('.e2e-spec.js') ? '.e2e-spec.js' : base.endsWith('.int-spec.js') ? '.int-spec.js' : base.endsWith('.spec.js') ? '.spec.js' : null;
    if (k && suffixes.includes(k)) files.push(f);
  }
}
// Order: unit first (fast feedback), then integration, then e2e.
const rank = (f) => (f.endsWith('.e2e-spec.js') ? 2 : f.endsWith('.int-spec.js') ? 1 : 0);
files.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
if (!files.length) {
  console.log(`no ${kind} test files under ${roots.map((r) => relative(root, r) || '.').join(', ')} (build first)`);
  console.log('tests: 0 passed, 0 failed');
  process.exit(0);
}
const tap = join(mkdtempSync(join(tmpdir(), 'ab-tests-')), 'report.tap');
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const r = spawnSync(
  process.execPath,
  [
    '--enable-source-maps',
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`,
    ...files.map((f) => relative(root, f)),
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: '' } },
);
const report = existsSync(tap) && statSync(tap).size ? readFileSync(tap, 'utf8') : '';
const count = (name) => Number((report.match(new RegExp(`^# ${name} (\\d+)$`, 'm')) ?? [])[1] ?? 0);
const passed = count('pass'), failed = count('fail') + count('cancelled'), skipped = count('skipped') + count('todo');
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(r.status ?? 1);
