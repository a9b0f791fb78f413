import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect, StringCodec } from 'nats';
import { buildImage, pushImage, startRegistry } from '@accelerboat/testing';
import { Endpoints } from '@accelerboat/registry-protocol';
import { startStack } from '../support/stack.js';
import { writeRegistriesFile } from '../support/upstreams.js';
import { download, MiB, peakRss, percentile, rssOf } from './measure.js';
import { readFileSync, existsSync } from 'node:fs';

const repoRoot = resolve(import.meta.dirname, '..', '..', '..');
const sc = StringCodec();

interface Row {
  metric: string;
  value: string;
  goal: string;
  note: string;
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const log = (m: string): void => void process.stderr.write(`[bench] ${m}\n`);
  const scratch = mkdtempSync(join(tmpdir(), 'ab-bench-'));

  log('building a 256 MiB and a 1 GiB layer and pushing them to docker-registry');
  const registry = await startRegistry({ auth: 'none' });
  const image = await buildImage({ layers: [256 * MiB, 1024 * MiB] });
  await pushImage(image, { registry: registry.host, repository: 'bench/big', tag: 'v1' });
  const l256 = image.layers[0]!;
  const l1g = image.layers[1]!;
  const stack = await startStack({ env: { REGISTRIES_FILE: writeRegistriesFile(scratch, [registry.host]), CACHE_MAX_BYTES: String(4 * 1024 * MiB) } });
  const edge = stack.apps.get('edge-proxy')!;
  const ns = `?ns=${encodeURIComponent(registry.host)}`;
  const viaEdge = (d: string): string => `${edge.url}/v2/bench/big/blobs/${d}${ns}`;
  const direct = (d: string): string => `${registry.url}/v2/bench/big/blobs/${d}`;

  try {
    // 1. Locate latency at a fixed rate (open loop: requests are sent on schedule, not after replies),
    // measured first on a quiet machine, for a digest two nodes hold (the common, hot case).
    const rate = 1000;
    const seconds = 5;
    // The first second warms the JIT and connection pools of every process on the path; it is
    // sent at the same rate but not measured.
    const warmup = 1;
    log(`locate latency: ${rate} requests/s for ${seconds} s`);
    const nc = await connect({ servers: stack.nats.url });
    const held = `sha256:${'e'.repeat(64)}`;
    for (const node of ['node-a', 'node-b']) {
      await nc.request(Endpoints.layerAnnounce.subject, sc.encode(JSON.stringify({ nodeId: node, url: `http://${node}:5080`, entries: [{ digest: held, size: 1, source: 'edge-cache' }] })));
    }
    const payload = sc.encode(JSON.stringify({ digest: held, nodeId: 'bench' }));
    const latencies: number[] = [];
    let errors = 0;
    const pending: Promise<void>[] = [];
    const t0 = performance.now();
    for (let i = 0; i < rate * (seconds + warmup); i++) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const sent = performance.now();
      pending.push(
        nc.request(Endpoints.blobLocate.subject, payload, { timeout: 2000 }).then(
          (m) => {
            if (i < rate * warmup) return;
            if (m.headers?.get('Nats-Service-Error-Code')) errors++;
            latencies.push(performance.now() - sent);
          },
          () => void errors++,
        ),
      );
    }
    await Promise.all(pending);
    const achieved = (rate * (seconds + warmup)) / ((performance.now() - t0) / 1000);
    await nc.close();
    latencies.sort((a, b) => a - b);
    rows.push({ metric: `coordinator locate latency p50 at ${rate}/s`, value: `${percentile(latencies, 50).toFixed(2)} ms`, goal: '', note: `${latencies.length} replies measured after ${warmup} s warm-up, ${errors} errors, ${achieved.toFixed(0)} req/s sent` });
    rows.push({ metric: `coordinator locate latency p99 at ${rate}/s`, value: `${percentile(latencies, 99).toFixed(2)} ms`, goal: '< 5 ms', note: 'NATS round trip + Redis lookup' });
    // 2. Cache-hit throughput, 256 MiB: warm the cache once, then alternate direct and edge runs.
    log('throughput: warming the edge cache');
    await download(viaEdge(l256.digest));
    const runs = 5;
    const directMBs: number[] = [];
    const edgeMBs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const d = await download(direct(l256.digest));
      const e = await download(viaEdge(l256.digest));
      if (d.bytes !== l256.size || e.bytes !== l256.size) throw new Error('short body');
      directMBs.push(d.bytes / MiB / d.seconds);
      edgeMBs.push(e.bytes / MiB / e.seconds);
    }
    const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    rows.push({ metric: 'cache-hit throughput, 256 MiB blob, edge-proxy', value: `${med(edgeMBs).toFixed(0)} MiB/s`, goal: '', note: `median of ${runs}` });
    rows.push({ metric: 'same blob straight from docker-registry', value: `${med(directMBs).toFixed(0)} MiB/s`, goal: '', note: `median of ${runs}` });
    rows.push({ metric: 'throughput ratio edge / direct', value: (med(edgeMBs) / med(directMBs)).toFixed(2), goal: '≥ 1.0', note: 'same machine, loopback' });

    // 3. Peak RSS of the edge-proxy while streaming 1 GiB: cold (upstream → cache → client), then hot.
    log('memory: streaming 1 GiB through the edge cold, then from cache');
    rows.push({ metric: 'edge-proxy RSS at rest (after the runs above)', value: `${(rssOf(edge.process.pid) / MiB).toFixed(0)} MiB`, goal: '', note: 'Node + Nest + NATS client baseline' });
    const cold = await peakRss(edge.process.pid, () => download(viaEdge(l1g.digest)));
    if (cold.result.bytes !== l1g.size) throw new Error(`cold 1 GiB pull returned ${cold.result.bytes} bytes`);
    const hot = await peakRss(edge.process.pid, () => download(viaEdge(l1g.digest)));
    rows.push({ metric: 'edge-proxy peak RSS, 1 GiB blob, cache miss', value: `${(cold.peak / MiB).toFixed(0)} MiB`, goal: '< 200 MiB', note: `${(l1g.size / MiB / cold.result.seconds).toFixed(0)} MiB/s` });
    rows.push({ metric: 'edge-proxy peak RSS, 1 GiB blob, cache hit', value: `${(hot.peak / MiB).toFixed(0)} MiB`, goal: '< 200 MiB', note: `${(l1g.size / MiB / hot.result.seconds).toFixed(0)} MiB/s` });

  } finally {
    await stack.stop();
    await registry.stop();
    await image.remove();
  }

  const table = [
    '| metric | value | goal | note |',
    '|---|---|---|---|',
    ...rows.map((r) => `| ${r.metric} | ${r.value} | ${r.goal} | ${r.note} |`),
  ].join('\n');
  process.stdout.write(`${table}\n`);
  // Only the generated block is replaced; the notes around it are kept.
  const file = join(repoRoot, 'BENCHMARKS.md');
  const block = `<!-- bench:mirror:start -->\nMeasured by \`./dev bench\` (\`node tools/bench.mjs\`) on ${new Date().toISOString().slice(0, 10)}, 2 cores, Node ${process.versions.node}, loopback.\n\n${table}\n<!-- bench:mirror:end -->`;
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\n## Mirror path (issue 3)\n\n<!-- bench:mirror:start -->\n<!-- bench:mirror:end -->\n';
  writeFileSync(file, old.replace(/<!-- bench:mirror:start -->[\s\S]*<!-- bench:mirror:end -->/, block));
  log('wrote BENCHMARKS.md');
}

await main();
