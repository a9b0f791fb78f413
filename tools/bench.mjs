#!/usr/bin/env node
// Runs the benchmarks (built first by ./dev bench): prints a table and rewrites BENCHMARKS.md.
await import(new URL('../e2e/dist/bench/bench.js', import.meta.url));
