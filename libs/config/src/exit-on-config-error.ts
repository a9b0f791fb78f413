import { ConfigError } from './load-config.js';

/**
 * Runs the loader and turns a ConfigError into a readable message on stderr and exit code 78
 * (EX_CONFIG), so a crash-looping pod says which key is wrong. Other errors propagate.
 */
export function exitOnConfigError<T>(service: string, load: () => T): T {
  try {
    return load();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${service}: ${e.message}\n`);
      process.exit(78);
    }
    throw e;
  }
}
