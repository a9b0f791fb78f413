import { ContainerdContent } from './containerd-content.js';
import { ContainerdEvents, type ContainerdEventsOptions } from './containerd-events.js';
import type { ContainerdConfig } from './containerd.config.js';
import { openContainerdClients, type ContainerdClients } from './grpc-api.js';

/**
 * One node's containerd: its content store and its event stream over one gRPC channel. Nothing
 * connects before the first call, so building it for a node without containerd costs nothing.
 */
export class Containerd {
  /** The content store of the configured namespace. */
  readonly content: ContainerdContent;
  /** Content and image events. */
  readonly events: ContainerdEvents;
  /** The configured namespace. */
  readonly namespace: string;

  private constructor(
    private readonly clients: ContainerdClients,
    cfg: ContainerdConfig,
    events: Omit<ContainerdEventsOptions, 'namespace'>,
  ) {
    this.namespace = cfg.namespace;
    this.content = new ContainerdContent(clients, { namespace: cfg.namespace, callTimeoutMs: cfg.callTimeoutMs, ...(cfg.contentDir ? { contentDir: cfg.contentDir } : {}) });
    this.events = new ContainerdEvents(clients, { ...events, namespace: cfg.namespace });
  }

  /** Builds the clients from validated config (CONTAINERD_SOCK, CONTAINERD_NAMESPACE, ...). */
  static fromConfig(cfg: ContainerdConfig, events: Omit<ContainerdEventsOptions, 'namespace'> = {}): Containerd {
    return new Containerd(openContainerdClients(cfg.socket), cfg, events);
  }

  /** Closes the channel; calls and subscriptions in flight fail with CANCELLED. */
  close(): void {
    this.clients.close();
  }
}
