export { EnvKey, envKeysOf, type EnvKeyInfo, type EnvKeyOptions } from './env-key.js';
export { loadConfig, ConfigError, type ConfigProblem, type ConfigShape, type LoadedConfig } from './load-config.js';
export { exitOnConfigError } from './exit-on-config-error.js';
