import { ServiceNames } from '@accelerboat/registry-protocol';
import { packageVersion, type ServiceDefinition } from '@accelerboat/service-kit';
import { seederConfig } from './seeder.config.js';
import { SeederModule } from './seeder.module.js';

/** The seeder as a service: what main.ts runs and what the app's integration spec boots in-process. */
export const seederDefinition: ServiceDefinition<typeof seederConfig> = {
  service: ServiceNames.seeder,
  version: packageVersion(import.meta.url),
  description: 'Downloads blobs from the upstream, serves them to peers and seeds them',
  config: seederConfig,
  // The coordinator addresses jobs to the id the heartbeat reports: both are INSTANCE_ID.
  subjectParams: (c) => ({ seeder: c.service.instanceId }),
  module: () => ({ module: SeederModule }),
};
