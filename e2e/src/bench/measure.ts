import { request } from 'node:http';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Downloads a URL to /dev/null with curl, so the client is not the bottleneck (a Node client on
 * the same two cores tops out well below what the servers can send). Returns bytes and seconds.
 */
export async function download(url: string, headers: Record<string, string> = {}): Promise<{ bytes: number; seconds: number; status: number }> {
  const args = ['-s', '-o', '/dev/null', '-w', '%{size_download} %{time_total} %{http_code}'];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
  const { stdout } = await run('curl', [...args, url], { maxBuffer: 1 << 16 });
  const [bytes, seconds, status] = stdout.trim().split(' ').map(Number) as [number, number, number];
  return { bytes, seconds, status };
}

/** Streams a URL to nowhere with Node's own client; never holds the body in memory. */
export function downloadNode(url: string, headers: Record<string, string> = {}): Promise<{ bytes: number; seconds: number; status: number }> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ bytes, seconds: Number(process.hrtime.bigint() - started) / 1e9, status: res.statusCode ?? 0 }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Resident set size of a process in bytes (VmRSS). */
export function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Samples a process's RSS every `everyMs` while `work` runs; returns the peak. */
export async function peakRss<T>(pid: number, work: () => Promise<T>, everyMs = 20): Promise<{ peak: number; result: T }> {
  let peak = rssOf(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssOf(pid))), everyMs);
  try {
    const result = await work();
    return { peak: Math.max(peak, rssOf(pid)), result };
  } finally {
    clearInterval(timer);
  }
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const MiB = 1024 * 1024;
