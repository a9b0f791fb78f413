import 'reflect-metadata';
import { ServiceNames } from '@accelerboat/registry-protocol';
import { packageVersion, runService } from '@accelerboat/service-kit';
import { trackerConfig } from './tracker.config.js';
import { TrackerModule } from './tracker.module.js';

await runService({
  service: ServiceNames.tracker,
  version: packageVersion(import.meta.url),
  description: 'Private BitTorrent tracker and swarm statistics',
  config: trackerConfig,
  module: () => ({ module: TrackerModule }),
});
