import 'reflect-metadata';
import { ServiceNames } from '@accelerboat/registry-protocol';
import { packageVersion, runService } from '@accelerboat/service-kit';
import { coordinatorConfig } from './master-coordinator.config.js';
import { CoordinatorModule } from './master-coordinator.module.js';

await runService({
  service: ServiceNames.coordinator,
  version: packageVersion(import.meta.url),
  description: 'Converges token, manifest and blob-location requests; assigns seeder jobs',
  config: coordinatorConfig,
  module: () => ({ module: CoordinatorModule }),
});
