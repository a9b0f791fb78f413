import 'reflect-metadata';
import { ServiceNames } from '@accelerboat/registry-protocol';
import { packageVersion, runService } from '@accelerboat/service-kit';
import { seederConfig } from './seeder.config.js';
import { SeederModule } from './seeder.module.js';

await runService({
  service: ServiceNames.seeder,
  version: packageVersion(import.meta.url),
  description: 'Downloads blobs from the upstream, serves them to peers and seeds them',
  config: seederConfig,
  subjectParams: (c) => ({ seeder: c.service.instanceId }),
  module: () => ({ module: SeederModule }),
});
