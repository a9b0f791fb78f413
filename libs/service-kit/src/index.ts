export { bootstrapService, runService, type ServiceDefinition, type ServiceContext, type RunningService, type BaseShape } from './bootstrap.js';
export { ServiceConfig, serviceConfigWithPort } from './service.config.js';
export { Readiness, type ReadinessCheck } from './readiness.js';
export { HealthController } from './health.controller.js';
export { LOGGER, SERVICE_IDENTITY, type ServiceIdentity } from './tokens.js';
export { packageVersion } from './version.js';
