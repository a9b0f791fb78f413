export { ContentNotFoundError, ContentStoreUnavailableError, type ContentStore, type ContentInfo, type ReadRange } from './content-store.js';
export {
  ContainerdTopics,
  contentEventFilters,
  type ContainerdEvent,
  type ContentEventSource,
  type SubscribeOptions,
  type SubscribedEvent,
  type ContentDeleteEvent,
  type ImageChangeEvent,
  type ImageDeleteEvent,
  type OtherEvent,
} from './content-events.js';
export { ContainerdConfig } from './containerd.config.js';
export { ContainerdContent, type ContainerdContentOptions } from './containerd-content.js';
export { ContainerdEvents, type ContainerdEventsOptions } from './containerd-events.js';
export { Containerd } from './containerd.js';
export { MemoryContentStore } from './memory-content-store.js';
