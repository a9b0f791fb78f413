import { ServiceNames } from '@accelerboat/registry-protocol';
import { CliError } from '../errors.js';
import { formatAge } from '../format.js';
import { printJson, type Io } from '../io.js';
import { renderTable } from '../table.js';
import type { Cluster } from '../cluster.js';
import { discoverServices, type ServiceInstance } from './discovery.js';

/** What `status --json` prints. */
export interface StatusReport {
  /** Every instance that answered, by service then instance. */
  services: (ServiceInstance & { status: 'up' })[];
  /** Services of AccelerBoat with no instance answering. */
  missing: string[];
}

/**
 * Every app instance with its version and counters. An instance is `up` when it answers the
 * NATS services PING: its process runs and its NATS side works (readiness towards Redis is on
 * each app's /readyz, which the services API does not publish). Exits 1 when a service is missing.
 */
export async function statusCommand(cluster: Cluster, io: Io, opts: { json: boolean; waitMs: number }): Promise<void> {
  const found = await discoverServices(cluster.nc, opts.waitMs);
  const report: StatusReport = {
    services: found.map((s) => ({ ...s, status: 'up' as const })),
    missing: Object.values(ServiceNames).filter((name) => !found.some((s) => s.service === name)),
  };
  if (opts.json) printJson(io, report);
  else {
    const rows = report.services.map((s) => [s.service, s.instance, s.version, s.status, s.started ? formatAge(s.started) : '?', String(s.endpoints), String(s.requests), String(s.errors), s.lastError ?? '']);
    for (const name of report.missing) rows.push([name, '-', '-', 'MISSING', '-', '-', '-', '-', '']);
    const columns = [{ header: 'service' }, { header: 'instance' }, { header: 'version' }, { header: 'status' }, { header: 'uptime', align: 'right' as const }, { header: 'endpoints', align: 'right' as const }, { header: 'requests', align: 'right' as const }, { header: 'errors', align: 'right' as const }, { header: 'last error' }];
    for (const line of renderTable(columns, rows)) io.out(line);
  }
  if (report.missing.length) throw new CliError(`no instance of ${report.missing.join(', ')} answers on ${cluster.servers.join(', ')}`, 1);
}
