import type { NatsRpcClient } from '@accelerboat/nats-transport';
import { makeEvent, type EventData, type EventEnvelope, type EventKey } from '@accelerboat/registry-protocol';

/** Where domain code reports notable events. Fire and forget: publishing never fails the caller. */
export interface EventSink {
  /** Publishes one event of kind `key`; data holds identifiers only, never credentials. */
  publish<K extends EventKey>(key: K, data: EventData[K]): void;
}

/** Publishes events on their `p2p.events.<kind>` subjects through the process's NATS client. */
export class NatsEventSink implements EventSink {
  constructor(
    private readonly rpc: Pick<NatsRpcClient, 'publishEvent'>,
    private readonly source: EventEnvelope<unknown>['source'],
  ) {}

  publish<K extends EventKey>(key: K, data: EventData[K]): void {
    const { subject, envelope } = makeEvent(key, this.source, data);
    try {
      this.rpc.publishEvent(subject, envelope);
    } catch {
      // Events are for operators and dashboards; nothing may depend on them, so a closed
      // connection loses the event and nothing else.
    }
  }
}

/** An EventSink that keeps what it is given: for tests, and for apps that publish nothing. */
export class MemoryEventSink implements EventSink {
  /** Every event published, in order. */
  readonly events: { key: EventKey; data: unknown }[] = [];

  publish<K extends EventKey>(key: K, data: EventData[K]): void {
    this.events.push({ key, data });
  }
}
