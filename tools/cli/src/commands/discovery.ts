import { RequestStrategy, type NatsConnection, type QueuedIterator, type ServiceIdentity, type ServiceInfo, type ServiceStats } from 'nats';

/** One running instance of a service, as the NATS services API ($SRV.PING, INFO, STATS) shows it. */
export interface ServiceInstance {
  /** The service name (`edge-proxy`, …). */
  service: string;
  /** The instance id the app registered (INSTANCE_ID: the node or pod name). */
  instance: string;
  /** The NATS service id, unique per process. */
  id: string;
  version: string;
  /** Endpoints registered. */
  endpoints: number;
  /** Requests answered, all endpoints together. */
  requests: number;
  /** Requests answered with an error. */
  errors: number;
  /** When the service started, ISO 8601, when STATS answered. */
  started?: string;
  /** The most recent error of any endpoint, as the service reported it. */
  lastError?: string;
}

/**
 * Every instance of every service on this NATS: PING finds them, INFO and STATS fill in
 * endpoints and counters (joined by the NATS service id). Collection stops `settleMs` after the
 * last answer, or after `maxWaitMs`, what `nats micro ls` does too.
 */
export async function discoverServices(nc: NatsConnection, maxWaitMs = 2000): Promise<ServiceInstance[]> {
  const client = nc.services.client({ strategy: RequestStrategy.JitterTimer, maxWait: maxWaitMs });
  const [pings, infos, stats] = await Promise.all([collect<ServiceIdentity>(client.ping()), collect<ServiceInfo>(client.info()), collect<ServiceStats>(client.stats())]);
  const infoById = new Map(infos.map((i) => [i.id, i]));
  const statsById = new Map(stats.map((s) => [s.id, s]));
  return pings
    .map((p): ServiceInstance => {
      const info = infoById.get(p.id);
      const st = statsById.get(p.id);
      const eps = st?.endpoints ?? [];
      const lastError = eps.map((e) => e.last_error).find((e) => e);
      return {
        service: p.name,
        instance: p.metadata?.instance ?? info?.metadata?.instance ?? '?',
        id: p.id,
        version: p.version,
        endpoints: info?.endpoints.length ?? eps.length,
        requests: eps.reduce((n, e) => n + (e.num_requests ?? 0), 0),
        errors: eps.reduce((n, e) => n + (e.num_errors ?? 0), 0),
        ...(st?.started ? { started: st.started } : {}),
        ...(lastError ? { lastError } : {}),
      };
    })
    .sort((a, b) => a.service.localeCompare(b.service) || a.instance.localeCompare(b.instance));
}

// Nobody answering is an empty list, not a failure: `status` reports the missing services.
async function collect<T>(pending: Promise<QueuedIterator<T>>): Promise<T[]> {
  const out: T[] = [];
  try {
    for await (const item of await pending) out.push(item);
  } catch {
    // no responders, or the connection closed while collecting
  }
  return out;
}
