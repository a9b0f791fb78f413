import { EVENTS_WILDCARD } from '@accelerboat/registry-protocol';
import { printable } from '../format.js';
import type { Io } from '../io.js';
import type { Cluster } from '../cluster.js';

/** Options of `events`. */
export interface EventsOptions {
  json: boolean;
  /** Until Ctrl-C (or the signal), instead of for `seconds`. */
  follow: boolean;
  seconds: number;
  /** Ends a followed stream (Ctrl-C wired by the caller); tests abort it by hand. */
  signal?: AbortSignal;
}

const PREFIX = EVENTS_WILDCARD.slice(0, -1);

/**
 * One line for an event: time, kind, publisher, then the data as key=value. Anyone on the NATS
 * may publish under `p2p.events.`, so nothing of it is trusted: non-JSON payloads are shown as
 * such, and every value is made printable.
 */
export function formatEvent(subject: string, payload: string): string {
  const kind = printable(subject.startsWith(PREFIX) ? subject.slice(PREFIX.length) : subject);
  let event: unknown;
  try {
    event = JSON.parse(payload);
  } catch {
    return `${new Date().toISOString()} ${kind} (not JSON, ${payload.length} bytes)`;
  }
  const e = isRecord(event) ? event : {};
  const source = isRecord(e.source) ? `${String(e.source.service)}/${String(e.source.instance)}` : '?';
  const data = isRecord(e.data) ? Object.entries(e.data).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`) : [];
  const at = typeof e.at === 'string' ? e.at : new Date().toISOString();
  return printable([at, kind, source, ...data].join(' '));
}

/**
 * Prints the cluster's events as they happen (`p2p.events.>`): one line each, or one JSON object
 * per line with `--json` (`{subject, event}`). Without --follow it stops after `seconds`.
 */
export async function eventsCommand(cluster: Cluster, io: Io, opts: EventsOptions): Promise<number> {
  const sub = cluster.nc.subscribe(EVENTS_WILDCARD);
  // Once the server has the subscription, nothing published from now on is missed; say so on
  // stderr, so that scripts (and tests) know when to start what they want to watch.
  await cluster.nc.flush();
  io.err(`watching ${EVENTS_WILDCARD} ${opts.follow ? 'until Ctrl-C' : `for ${opts.seconds}s`}`);
  const stop = (): void => sub.unsubscribe();
  const timer = opts.follow ? undefined : setTimeout(stop, opts.seconds * 1000);
  opts.signal?.addEventListener('abort', stop, { once: true });
  let seen = 0;
  try {
    for await (const m of sub) {
      seen++;
      const text = new TextDecoder().decode(m.data);
      if (opts.json) io.out(JSON.stringify({ subject: m.subject, event: parseOrText(text) }));
      else io.out(formatEvent(m.subject, text));
    }
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', stop);
  }
  return seen;
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
