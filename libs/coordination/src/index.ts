export { BlobLocator } from './blob-locator.js';
export { SeederRegistry, type SeederStatus } from './seeder-registry.js';
export { CoordinatorClient } from './coordinator.client.js';
