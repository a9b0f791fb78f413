import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createCluster, netnsUnavailableReason, type NetnsCluster } from './netns.js';
import type { ProcessHandle } from './process.js';
import { startRegistry, type Registry } from './registry.js';

const unavailable = await netnsUnavailableReason();
// Per test (not per suite), so that the runner's summary counts them as skipped.
const skip = unavailable ? `skipped: ${unavailable}` : false;

// Serves `?mb=N` MiB of zeros, on the address given as argv[1].
const SERVER = `
const http = require('node:http');
http.createServer((req, res) => {
  const mb = Number(new URL(req.url, 'http://x').searchParams.get('mb') ?? 0);
  res.writeHead(200, { 'content-length': mb << 20 });
  const chunk = Buffer.alloc(1 << 20);
  let left = mb;
  const more = () => { while (left > 0) { left--; if (!res.write(chunk)) return res.once('drain', more); } res.end(); };
  more();
}).listen(8080, process.argv[1], () => console.log('listening'));
`;

const netnsList = (): string => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });

describe('createCluster: nodes in network namespaces behind one switch', () => {
  let cluster: NetnsCluster;
  let server: ProcessHandle;
  let registry: Registry;

  before(async () => {
    if (skip) return;
    cluster = await createCluster({ nodes: 2, linkMbit: 40 });
  });
  after(async () => {
    await registry?.stop();
    await cluster?.destroy();
  });

  it('gives every host its own namespace and address in the subnet, loopback up', { skip }, async () => {
    const [n1, n2] = cluster.nodes;
    assert.match(cluster.subnet, /^10\.23\d\.\d+\.0\/24$/);
    const prefix = cluster.subnet.replace(/0\/24$/, '');
    assert.deepEqual([n1!.ip, n2!.ip, cluster.infra.ip, cluster.upstream.ip], [`${prefix}11`, `${prefix}12`, `${prefix}2`, `${prefix}3`]);
    const addrs = (await n1!.exec('ip', ['-4', '-o', 'addr'])).stdout;
    assert.match(addrs, new RegExp(`veth0\\s+inet ${n1!.ip.replace(/\./g, '\\.')}/24`));
    assert.match(addrs, /lo\s+inet 127\.0\.0\.1/);
    // The root namespace never holds a cluster address (so it is never routed off the machine from there either).
    assert.ok(!execFileSync('ip', ['-4', '-o', 'addr'], { encoding: 'utf8' }).includes(` ${n1!.ip}/`));
  });

  it('starts a server inside a node, ready-checked from inside, reachable from another node only over the capped link', { skip }, async () => {
    const [n1, n2] = cluster.nodes;
    server = await n1!.start({ name: 'zeros', command: process.execPath, args: ['-e', SERVER, n1!.ip], readyWhen: { http: `http://${n1!.ip}:8080/` } });
    assert.equal(await n2!.httpGet(`http://${n1!.ip}:8080/?mb=0`), 200);
    // 5 MiB over a 40 Mbit/s link: about 1.1 s; unshaped veth would take milliseconds.
    const { stdout } = await n2!.exec('curl', ['-s', '-o', '/dev/null', '-w', '%{speed_download}', `http://${n1!.ip}:8080/?mb=5`]);
    const mbit = (Number(stdout) * 8) / 1e6;
    assert.ok(mbit > 20 && mbit < 44, `throughput ${mbit.toFixed(1)} Mbit/s on a 40 Mbit/s link`);
  });

  it('runs the registry in a helper namespace, with its access log flushed from inside', { skip }, async () => {
    registry = await startRegistry({ place: cluster.upstream });
    assert.equal(registry.host, `${cluster.upstream.ip}:${new URL(registry.url).port}`);
    assert.equal(await cluster.nodes[0]!.httpGet(`${registry.url}/v2/`), 200);
    const log = await registry.flushAccessLog();
    assert.ok(log.some((e) => e.kind === 'base' && e.method === 'GET' && e.status === 200), JSON.stringify(log));
  });

  it('destroy() kills every process in the namespaces and deletes them', { skip }, async () => {
    const names = [...cluster.nodes, cluster.infra, cluster.upstream].map((h) => h.ns);
    await cluster.destroy();
    const left = netnsList();
    for (const ns of names) assert.ok(!left.includes(ns), `${ns} still exists`);
    assert.ok(!left.includes(names[0]!.replace(/node1$/, 'sw')), 'the switch namespace still exists');
    for (let i = 0; i < 50 && !server.exitStatus(); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(server.exitStatus(), 'the server in node1 is still running');
    await cluster.destroy(); // idempotent
  });
});
