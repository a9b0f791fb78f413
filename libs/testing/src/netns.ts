import { execFile, execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { promisify } from 'node:util';
import { netnsHost, type NetnsHost } from './netns-host.js';
import { onProcessExit } from './process.js';

const run = promisify(execFile);
const ip = (...args: string[]): Promise<unknown> => run('ip', args, { timeout: 15_000 });

/** Options of {@link createCluster}. */
export interface ClusterOptions {
  /** Node namespaces (node1 ... nodeN). */
  nodes: number;
  /** A /24 such as `10.233.17.0/24`; default: a random /24 in 10.231.0.0 - 10.239.255.0. */
  subnet?: string;
  /** Per-node link cap in Mbit/s, both directions (tc tbf); default: uncapped. */
  linkMbit?: number;
  /** The upstream host's link cap in Mbit/s, both directions; default: uncapped. */
  upstreamMbit?: number;
}

/** A switch, N nodes and two helper hosts, each in its own network namespace. */
export interface NetnsCluster {
  /** The CIDR all hosts share. */
  subnet: string;
  /** node1 ... nodeN at .11, .12, ... */
  nodes: NetnsHost[];
  /** Helper host for NATS, Redis and the coordinator, at .2. */
  infra: NetnsHost;
  /** Helper host for the upstream registry, at .3. */
  upstream: NetnsHost;
  /** Kills every process in the namespaces (SIGTERM, then SIGKILL) and deletes them. Idempotent. */
  destroy(): Promise<void>;
}

// Namespace names carry our pid, so a later run can tell a crashed run's leftovers from a live run's.
const PREFIX = 'abt-';
const OURS = /^abt-(\d+)-[a-z0-9]+-/;

let availability: Promise<string | undefined> | undefined;

/**
 * Why network-namespace tests cannot run here (not Linux, not root, `ip netns`, bridges or veth
 * not working), or undefined when they can. Tests skip with this message, never pass silently.
 */
export function netnsUnavailableReason(): Promise<string | undefined> {
  availability ??= (async () => {
    if (process.platform !== 'linux') return 'network namespaces need Linux';
    if (process.getuid?.() !== 0) return 'network namespaces need root (ip netns)';
    // Readiness probes and httpGet() run curl inside the namespaces.
    if (!(await run('curl', ['--version']).then(() => true, () => false))) return 'curl is needed to reach servers inside network namespaces';
    // A throwaway namespace proves the whole recipe: netns, a bridge and a veth pair inside it.
    const probe = `${PREFIX}${process.pid}-${randomBytes(3).toString('hex')}-probe`;
    try {
      await ip('netns', 'add', probe);
      await ip('-n', probe, 'link', 'add', 'br0', 'type', 'bridge');
      await ip('-n', probe, 'link', 'add', 'vprobe0', 'type', 'veth', 'peer', 'name', 'vprobe1');
      return undefined;
    } catch (err) {
      const e = err as Error & { stderr?: string };
      return `ip netns does not work here: ${(e.stderr || e.message).trim().split('\n')[0]}`;
    } finally {
      await ip('netns', 'del', probe).catch(() => undefined);
    }
  })();
  return availability;
}

/** True only when running as root with `ip netns`, bridges and veth pairs working. */
export async function netnsAvailable(): Promise<boolean> {
  return (await netnsUnavailableReason()) === undefined;
}

function nsPids(ns: string): number[] {
  try {
    return execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')
      .map(Number)
      .filter((p) => p > 0);
  } catch {
    return [];
  }
}

function killAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

function deleteNamespaces(names: string[]): void {
  for (const ns of names) {
    killAll(nsPids(ns), 'SIGKILL');
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    } catch {
      /* never created, or already deleted */
    }
  }
}

/** Removes namespaces left by test processes that died without cleaning up (e.g. SIGKILLed). */
function sweepLeftovers(): void {
  let list = '';
  try {
    list = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  } catch {
    return;
  }
  const stale = list
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter((name) => {
      const m = OURS.exec(name);
      if (!m || Number(m[1]) === process.pid) return false;
      try {
        process.kill(Number(m[1]), 0);
        return false; // its test process still runs
      } catch {
        return true;
      }
    });
  deleteNamespaces(stale);
}

function randomSubnet(): string {
  return `10.${231 + randomInt(9)}.${randomInt(256)}.0/24`;
}

async function capLink(ns: string, dev: string, mbit: number): Promise<void> {
  // A burst of ~10 ms at the rate (at least 64 KiB) keeps tbf from starving fast flows.
  const burst = Math.max(64 * 1024, Math.ceil((mbit * 1e6) / 8 / 100));
  await run('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'add', 'dev', dev, 'root', 'tbf', 'rate', `${mbit}mbit`, 'burst', String(burst), 'latency', '50ms']);
}

/**
 * Caps (or, with `mbit` undefined, uncaps) the host's uplink at run time: a tbf on its veth inside
 * its namespace, as createCluster's `linkMbit` does. Lets a test slow one node's serving down
 * while the rest of the cluster stays fast.
 */
export async function setUplinkCap(host: NetnsHost, mbit: number | undefined): Promise<void> {
  if (mbit === undefined) {
    // Deleting the root qdisc restores the default; "no such qdisc" just means it was uncapped.
    await host.exec('tc', ['qdisc', 'del', 'dev', 'veth0', 'root']).catch(() => undefined);
    return;
  }
  const burst = Math.max(64 * 1024, Math.ceil((mbit * 1e6) / 8 / 100));
  await host.exec('tc', ['qdisc', 'replace', 'dev', 'veth0', 'root', 'tbf', 'rate', `${mbit}mbit`, 'burst', String(burst), 'latency', '50ms']);
}

/** Bytes the host's veth has sent (`tx`) and received (`rx`), headers included, since it was created. */
export async function linkBytes(host: NetnsHost): Promise<{ tx: number; rx: number }> {
  const { stdout } = await host.exec('ip', ['-s', '-j', 'link', 'show', 'dev', 'veth0']);
  const [link] = JSON.parse(stdout) as { stats64?: { tx: { bytes: number }; rx: { bytes: number } } }[];
  if (!link?.stats64) throw new Error(`[${host.name}] ip -s -j link printed no stats64`);
  return { tx: link.stats64.tx.bytes, rx: link.stats64.rx.bytes };
}

/**
 * Creates a test network: a switch namespace holding a bridge (so the root namespace's links
 * stay untouched), and per host a namespace with loopback up and a veth to the bridge. Every
 * namespace and every process in it is removed by `destroy()` or, at the latest, when this
 * process exits. Callers check {@link netnsUnavailableReason} first.
 */
export async function createCluster(opts: ClusterOptions): Promise<NetnsCluster> {
  if (!Number.isInteger(opts.nodes) || opts.nodes < 1 || opts.nodes > 200) throw new RangeError(`nodes must be 1..200, got ${opts.nodes}`);
  const subnet = opts.subnet ?? randomSubnet();
  const m = /^(\d+\.\d+\.\d+)\.0\/24$/.exec(subnet);
  if (!m) throw new RangeError(`subnet must be a /24 like 10.231.7.0/24, got ${subnet}`);
  const net = m[1]!;
  sweepLeftovers();

  const id = `${PREFIX}${process.pid}-${randomBytes(3).toString('hex')}`;
  const sw = `${id}-sw`;
  const created: string[] = [];
  let destroyed = false;
  const destroySync = (): void => {
    if (destroyed) return;
    destroyed = true;
    deleteNamespaces([...created].reverse());
  };
  onProcessExit(destroySync);

  const addHost = async (name: string, hostIp: string, port: string, mbit?: number): Promise<NetnsHost> => {
    const ns = `${id}-${name}`;
    await ip('netns', 'add', ns);
    created.push(ns);
    await ip('link', 'add', 'veth0', 'netns', ns, 'type', 'veth', 'peer', 'name', port, 'netns', sw);
    await ip('-n', sw, 'link', 'set', port, 'master', 'br0');
    await ip('-n', sw, 'link', 'set', port, 'up');
    await ip('-n', ns, 'addr', 'add', `${hostIp}/24`, 'dev', 'veth0');
    await ip('-n', ns, 'link', 'set', 'veth0', 'up');
    await ip('-n', ns, 'link', 'set', 'lo', 'up');
    if (mbit) {
      await capLink(ns, 'veth0', mbit); // the host's uplink
      await capLink(sw, port, mbit); // its downlink, on the switch side
    }
    return netnsHost(name, ns, hostIp);
  };

  const destroy = async (): Promise<void> => {
    if (destroyed) return;
    // SIGTERM first, so that servers such as containerd shut down cleanly; SIGKILL what is left.
    for (const ns of created) killAll(nsPids(ns), 'SIGTERM');
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline && created.some((ns) => nsPids(ns).length > 0)) await new Promise((r) => setTimeout(r, 50));
    destroySync();
  };

  try {
    await ip('netns', 'add', sw);
    created.push(sw);
    await ip('-n', sw, 'link', 'set', 'lo', 'up');
    await ip('-n', sw, 'link', 'add', 'br0', 'type', 'bridge');
    await ip('-n', sw, 'link', 'set', 'br0', 'up');
    const infra = await addHost('infra', `${net}.2`, 'pinfra');
    const upstream = await addHost('upstream', `${net}.3`, 'pup', opts.upstreamMbit);
    const nodes: NetnsHost[] = [];
    for (let i = 1; i <= opts.nodes; i++) nodes.push(await addHost(`node${i}`, `${net}.${10 + i}`, `p${i}`, opts.linkMbit));
    return { subnet, nodes, infra, upstream, destroy };
  } catch (err) {
    await destroy();
    throw err;
  }
}
