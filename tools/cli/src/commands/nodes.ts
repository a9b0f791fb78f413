import type { SeederNode } from '@accelerboat/registry-protocol';
import { formatAge, formatBytes } from '../format.js';
import { printJson, type Io } from '../io.js';
import { renderTable } from '../table.js';
import type { Cluster } from '../cluster.js';
import { discoverServices } from './discovery.js';

/** One node (or pod) of the cluster: the services running as it, and its seeder's load. */
export interface NodeView {
  /** The instance id the services registered under (INSTANCE_ID: node name for the DaemonSets). */
  nodeId: string;
  /** Services answering with this instance id. */
  services: string[];
  /** The seeder's last heartbeat, when a live seeder runs under this id. */
  seeder?: SeederNode;
}

/**
 * Nodes as the cluster itself knows them. Two sources, joined by id: every service instance
 * answering `$SRV.PING` (each registers its INSTANCE_ID, the node name for the per-node apps),
 * and the coordinator's live seeders with their load (node-list). The layer index is not a
 * source: it is keyed by digest, and listing its nodes would scan every layer key in Redis.
 */
export async function nodesCommand(cluster: Cluster, io: Io, opts: { json: boolean; waitMs: number }): Promise<void> {
  const [instances, { seeders }] = await Promise.all([discoverServices(cluster.nc, opts.waitMs), cluster.coordinator.listNodes()]);
  const byId = new Map<string, NodeView>();
  const node = (id: string): NodeView => byId.get(id) ?? byId.set(id, { nodeId: id, services: [] }).get(id)!;
  for (const i of instances) if (!node(i.instance).services.includes(i.service)) node(i.instance).services.push(i.service);
  for (const s of seeders) node(s.seederId).seeder = s;
  const nodes = [...byId.values()].sort((a, b) => a.nodeId.localeCompare(b.nodeId));
  for (const n of nodes) n.services.sort();
  if (opts.json) return printJson(io, { nodes });
  const rows = nodes.map((n) => [
    n.nodeId,
    n.services.join(',') || '-',
    n.seeder ? `${n.seeder.activeJobs}/${n.seeder.maxJobs}` : '-',
    n.seeder ? n.seeder.load.toFixed(2) : '-',
    n.seeder?.bytesServed !== undefined ? formatBytes(n.seeder.bytesServed) : '-',
    n.seeder ? formatAge(n.seeder.lastSeen) : '-',
    n.seeder?.url ?? '',
  ]);
  const columns = [{ header: 'node' }, { header: 'services' }, { header: 'seeder jobs', align: 'right' as const }, { header: 'load', align: 'right' as const }, { header: 'served', align: 'right' as const }, { header: 'heartbeat', align: 'right' as const }, { header: 'peer url' }];
  for (const line of renderTable(columns, rows)) io.out(line);
}
