#!/usr/bin/env node
// accelerboat: the operator's CLI. Everything is in program.ts; this file wires the process.
import { processIo } from './io.js';
import { run } from './program.js';

const abort = new AbortController();
// The first Ctrl-C asks the running command to stop cleanly (progress bars restore the cursor,
// the NATS connection closes); a second one ends the process at once.
process.once('SIGINT', () => {
  abort.abort();
  process.once('SIGINT', () => process.exit(130));
});

const code = await run(process.argv, { io: processIo(), env: process.env, signal: abort.signal });
process.exitCode = code;
// Nothing should be left running, but a CLI must never hang on a forgotten handle.
setTimeout(() => process.exit(code), 200).unref();
