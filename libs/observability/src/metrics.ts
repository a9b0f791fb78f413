import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every metric AccelerBoat exports is declared here, on a registry passed in (never the global
 * one), so tests can create as many apps in one process as they like. Names follow
 * `p2p_<service>_<thing>_<unit>`; shared ones use `p2p_` plus the `service` default label.
 */
export function createMetricsRegistry(service: string, instance: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service, instance });
  collectDefaultMetrics({ register: registry, prefix: 'p2p_' });
  return registry;
}

/** Metrics of the NATS control plane, shared by every app. */
export class RpcMetrics {
  readonly requests: Counter<'endpoint' | 'outcome'>;
  readonly duration: Histogram<'endpoint'>;
  readonly clientRequests: Counter<'endpoint' | 'outcome'>;

  constructor(registry: Registry) {
    this.requests = new Counter({
      name: 'p2p_rpc_server_requests_total',
      help: 'NATS requests handled, by endpoint and outcome (ok or an error code).',
      labelNames: ['endpoint', 'outcome'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'p2p_rpc_server_duration_seconds',
      help: 'Time to handle one NATS request.',
      labelNames: ['endpoint'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers: [registry],
    });
    this.clientRequests = new Counter({
      name: 'p2p_rpc_client_requests_total',
      help: 'NATS requests sent to other services, by endpoint and outcome.',
      labelNames: ['endpoint', 'outcome'],
      registers: [registry],
    });
  }
}

/** Readiness of each dependency as a gauge (1 = up), so alerts need not scrape /readyz. */
export class DependencyMetrics {
  readonly up: Gauge<'dependency'>;

  constructor(registry: Registry) {
    this.up = new Gauge({
      name: 'p2p_dependency_up',
      help: 'Whether a dependency (nats, redis) is reachable: 1 up, 0 down.',
      labelNames: ['dependency'],
      registers: [registry],
    });
  }
}

/** The edge-proxy's registry mirror: how requests were served and how many bytes went where. */
export class MirrorMetrics {
  readonly blobRequests: Counter<'outcome'>;
  readonly blobBytes: Counter<'outcome'>;
  readonly fetches: Counter<'event'>;
  readonly cacheBytes: Gauge;
  readonly cacheEntries: Gauge;

  /** `cache` is read at scrape time, so the gauges never go stale. */
  constructor(registry: Registry, cache?: () => { bytes: number; entries: number }) {
    this.blobRequests = new Counter({
      name: 'p2p_edge_blob_requests_total',
      help: 'Blob requests by outcome: hit (verified cache), miss (fetched through the cluster), fallback (proxied upstream), denied.',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.blobBytes = new Counter({
      name: 'p2p_edge_blob_bytes_total',
      help: 'Blob bytes sent to clients, by outcome.',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.fetches = new Counter({
      name: 'p2p_edge_fetch_events_total',
      help: 'Cache fill events: fetched, failed, source-failed, upstream-fallback, piece-retry, source-blacklisted, source-corrupt.',
      labelNames: ['event'],
      registers: [registry],
    });
    this.cacheBytes = new Gauge({
      name: 'p2p_edge_cache_bytes',
      help: 'Bytes of verified blobs in the cache.',
      registers: [registry],
      collect() {
        if (cache) this.set(cache().bytes);
      },
    });
    this.cacheEntries = new Gauge({
      name: 'p2p_edge_cache_entries',
      help: 'Verified blobs in the cache.',
      registers: [registry],
      collect() {
        if (cache) this.set(cache().entries);
      },
    });
  }
}
