/*
 * WIRE CONTRACTS. Notable events, published (fire and forget, no reply) under `p2p.events.` so
 * that `nats sub 'p2p.events.>'` shows the cluster at work. Nothing may depend on receiving them:
 * they are for operators, dashboards and tests. Add kinds freely; never change one's meaning.
 */
import type { ServiceName } from './endpoint.js';
import type { SourceKind } from './messages/blob-locate.js';

/** Subscribe to this to see every event. */
export const EVENTS_WILDCARD = 'p2p.events.>';

/** The subject of every event kind. */
export const Events = {
  jobAssigned: 'p2p.events.job.assigned',
  jobCompleted: 'p2p.events.job.completed',
  jobFailed: 'p2p.events.job.failed',
  layerLocated: 'p2p.events.layer.located',
  fallbackTaken: 'p2p.events.fallback.taken',
  peerBlacklisted: 'p2p.events.peer.blacklisted',
  layerAnnounced: 'p2p.events.layer.announced',
  layerWithdrawn: 'p2p.events.layer.withdrawn',
} as const;

/** The handle of one event kind (`jobAssigned`). */
export type EventKey = keyof typeof Events;
/** One event subject (`p2p.events.job.assigned`). */
export type EventSubject = (typeof Events)[EventKey];
/** One event kind as it appears in the envelope's `type` (`job.assigned`). */
export type EventType = EventSubject extends `p2p.events.${infer T}` ? T : never;

/** The steps of the fallback chain, in the order they are tried. */
export const FallbackSteps = ['other-source', 'upstream-remaining', 'upstream-proxy'] as const;
/** One of FallbackSteps. */
export type FallbackStep = (typeof FallbackSteps)[number];

/**
 * The payload of each event kind. Identifiers and sizes only: never credentials, never a
 * client's Authorization value, never a token.
 */
export interface EventData {
  /** The coordinator gave a seeder a download job. */
  jobAssigned: { jobId: string; seederId: string; digest: string; registry: string; repository: string };
  /** A seeder finished and verified a job's blob. */
  jobCompleted: { jobId: string; seederId: string; digest: string; size: number };
  /** A seeder gave up on a job. */
  jobFailed: { jobId: string; seederId: string; digest: string; reason: string };
  /** The coordinator answered a locate. */
  layerLocated: { digest: string; requester?: string; sources: number; best?: SourceKind; jobId?: string };
  /** A node stepped down the fallback chain for a blob. */
  fallbackTaken: { nodeId: string; digest: string; step: FallbackStep; reason: string };
  /** A node stopped using a source for a while (bad piece, stall, refused connection). */
  peerBlacklisted: { nodeId: string; peer: string; digest?: string; reason: string; seconds: number };
  /** A node announced blobs to the index. */
  layerAnnounced: { nodeId: string; count: number };
  /** A node withdrew blobs from the index. */
  layerWithdrawn: { nodeId: string; count: number };
}

/** What every event carries around its data. */
export interface EventEnvelope<T> {
  /** The event kind (`job.assigned`); the subject without its `p2p.events.` prefix. */
  type: EventType;
  /** When it happened, ISO 8601. */
  at: string;
  /** Which process published it. */
  source: { service: ServiceName; instance: string };
  /** The kind-specific payload. */
  data: T;
}

/** Builds the subject and envelope of an event; `at` defaults to now. */
export function makeEvent<K extends EventKey>(
  key: K,
  source: EventEnvelope<unknown>['source'],
  data: EventData[K],
  at: Date = new Date(),
): { subject: (typeof Events)[K]; envelope: EventEnvelope<EventData[K]> } {
  const subject = Events[key];
  const type = subject.slice('p2p.events.'.length) as EventType;
  return { subject, envelope: { type, at: at.toISOString(), source, data } };
}
