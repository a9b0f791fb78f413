/** Where a command writes; the process's streams, or buffers in tests. */
export interface Io {
  /** Writes one line to stdout. */
  out(line: string): void;
  /** Writes one line to stderr (warnings, progress when stdout is data). */
  err(line: string): void;
  /** True when stdout is a terminal: progress bars instead of progress lines. */
  isTTY: boolean;
  /** The stream progress bars draw on. */
  stream: NodeJS.WriteStream;
}

/** The real streams. */
export function processIo(): Io {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    isTTY: process.stdout.isTTY === true,
    stream: process.stdout,
  };
}

/** Prints a value as indented JSON: what every command's `--json` produces. */
export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}
