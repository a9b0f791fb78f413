export { createLogger, REDACTED_PATHS, type Logger } from './logger.js';
export { PinoNestLogger } from './nest-logger.js';
export { createMetricsRegistry, RpcMetrics, DependencyMetrics, MirrorMetrics } from './metrics.js';
export { Registry as MetricsRegistry } from 'prom-client';
