import type { NatsConnection } from 'nats';
import type { NatsLogger } from './logger.js';

/** What readiness needs to know about the connection. */
export type NatsConnectionState = 'connected' | 'reconnecting' | 'closed';

// One health object per connection, so the app's readiness probe and the module see the same state
// and the connection's status stream is read once.
const byConnection = new WeakMap<NatsConnection, NatsHealth>();

/**
 * Follows a connection's status stream (`nc.status()`) and keeps its current state for
 * readiness probes: ready while connected, not ready while reconnecting, and closed for good.
 */
export class NatsHealth {
  private current: NatsConnectionState;
  private changedAt = new Date();

  private constructor(
    private readonly nc: NatsConnection,
    private readonly logger?: NatsLogger,
  ) {
    this.current = nc.isClosed() ? 'closed' : 'connected';
    void this.follow();
    void nc.closed().then((err) => {
      this.set('closed');
      if (err) this.logger?.error(`NATS connection closed with error: ${err.message}`);
    });
  }

  /** The health object of a connection, created on first use (connectNats creates it at connect time). */
  static of(nc: NatsConnection, logger?: NatsLogger): NatsHealth {
    let health = byConnection.get(nc);
    if (!health) {
      health = new NatsHealth(nc, logger);
      byConnection.set(nc, health);
    }
    return health;
  }

  /** Current state of the connection. */
  get state(): NatsConnectionState {
    return this.current;
  }

  /** When the state last changed. */
  get since(): Date {
    return this.changedAt;
  }

  /** True while requests can be sent: the readiness answer. */
  isReady(): boolean {
    return this.current === 'connected';
  }

  /** A small JSON-able summary for `/readyz` bodies. */
  snapshot(): { state: NatsConnectionState; since: string; server?: string } {
    const server = this.current === 'connected' ? this.nc.getServer() : undefined;
    return { state: this.current, since: this.changedAt.toISOString(), ...(server ? { server } : {}) };
  }

  private async follow(): Promise<void> {
    // The iterator ends when the connection closes; `closed()` above records that state.
    for await (const s of this.nc.status()) {
      switch (s.type) {
        case 'disconnect':
          this.logger?.warn(`NATS disconnected from ${String(s.data)}; reconnecting`);
          this.set('reconnecting');
          break;
        case 'reconnecting':
          this.set('reconnecting');
          break;
        case 'reconnect':
          this.logger?.log(`NATS reconnected to ${String(s.data)}`);
          this.set('connected');
          break;
        case 'error':
          this.logger?.error(`NATS async error: ${String(s.data)}`);
          break;
        case 'ldm':
          this.logger?.warn(`NATS server ${String(s.data)} entered lame duck mode; the client will move`);
          break;
        default:
          break;
      }
    }
  }

  private set(state: NatsConnectionState): void {
    if (this.current === state || this.current === 'closed') return;
    this.current = state;
    this.changedAt = new Date();
  }
}
