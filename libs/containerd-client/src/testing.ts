// Test helpers for other packages: `@accelerboat/containerd-client/testing`. Kept out of the main
// entry point so that production code never loads node:test or the process harness.
export { startContainerd, type ContainerdFixture } from './containerd.fixture.js';
export { contentStoreConformance, type ContentStoreHarness } from './content-store.conformance.js';
