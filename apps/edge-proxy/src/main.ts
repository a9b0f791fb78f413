import 'reflect-metadata';
import { ServiceNames } from '@accelerboat/registry-protocol';
import { packageVersion, runService } from '@accelerboat/service-kit';
import { edgeProxyConfig } from './edge-proxy.config.js';
import { EdgeProxyModule } from './mirror.module.js';

await runService({
  service: ServiceNames.edgeProxy,
  version: packageVersion(import.meta.url),
  description: 'Per-node registry mirror, verified blob cache and peer endpoint',
  config: edgeProxyConfig,
  subjectParams: (c) => ({ node: c.service.instanceId }),
  module: () => ({ module: EdgeProxyModule }),
});
