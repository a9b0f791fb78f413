import { once } from 'node:events';
import type { Readable } from 'node:stream';
import type { BlobWriter, FsBlobStore } from '@accelerboat/blob-store';
import type { PeerBlobClient } from '@accelerboat/peer-http';
import type { UpstreamClient } from '@accelerboat/registry-client';
import type { BlobSource } from '@accelerboat/registry-protocol';
import type { ControlPlane } from './control-plane.js';
import { fetchCredential } from './http-util.js';
import type { RegistryMapping } from './registry-mapping.js';
import type { Semaphore } from './semaphore.js';

/** One blob the mirror must obtain. */
export interface FetchTarget {
  registry: RegistryMapping;
  repository: string;
  digest: string;
  authorization?: string;
  /** Skip the cluster (a request that already came from another node). */
  upstreamOnly?: boolean;
}

export interface BlobFetcherOptions {
  nodeId: string;
  /** This node's peer endpoint base URL, announced once the blob is verified. */
  peerUrl: string;
  /** Caps direct upstream fetches. */
  upstreamLimit: Semaphore;
  /** Reports which way bytes came, for metrics and logs. */
  observe?: (event: 'source-failed' | 'upstream-fallback' | 'fetched' | 'failed', detail: Record<string, unknown>) => void;
}

/**
 * Brings a blob into the local store: from the sources the coordinator names (peers, seeders),
 * resuming from the bytes already written when one fails, and from the upstream as the last
 * resort. Only one download per digest runs (the store's writeOrJoin); callers stream the bytes
 * with `store.follow` while they land. The store verifies the digest before the blob counts.
 */
export class BlobFetcher {
  private readonly starting = new Map<string, Promise<{ size?: number }>>();

  constructor(
    private readonly store: FsBlobStore,
    private readonly control: ControlPlane,
    private readonly peers: PeerBlobClient,
    private readonly upstream: UpstreamClient,
    private readonly opts: BlobFetcherOptions,
  ) {}

  /**
   * Makes sure the blob is stored or being written, and returns its size when known. Throws
   * when no download could even start (then the caller proxies the upstream directly).
   */
  async ensure(target: FetchTarget): Promise<{ size?: number }> {
    // Concurrent requests for one cold blob on this node share one locate and one size probe.
    const pending = this.starting.get(target.digest);
    if (pending) return pending;
    const start = this.start(target).finally(() => this.starting.delete(target.digest));
    this.starting.set(target.digest, start);
    return start;
  }

  private async start(target: FetchTarget): Promise<{ size?: number }> {
    const stat = this.store.stat(target.digest);
    if (stat) return { size: stat.size };
    const progress = this.store.inProgress(target.digest);
    if (progress) return { size: progress.expectedSize };

    const located = target.upstreamOnly ? undefined : await this.locate(target);
    let size = located?.size;
    if (size === undefined) size = (await this.upstream.headBlob(target.registry.originalHost, target.repository, target.digest, fetchCredential(target.authorization))).size;
    const claim = this.store.writeOrJoin(target.digest, size === undefined ? {} : { expectedSize: size });
    if (claim.role === 'present') return { size: claim.size };
    if (claim.role === 'follower') return { size: claim.progress.expectedSize ?? size };
    void this.download(claim.writer, target, located?.sources ?? []);
    return { size };
  }

  private async locate(target: FetchTarget): Promise<{ size?: number; sources: BlobSource[] } | undefined> {
    try {
      const res = await this.control.locate({
        digest: target.digest,
        nodeId: this.opts.nodeId,
        registry: target.registry.originalHost,
        repository: target.repository,
        ...(target.authorization ? { authorization: target.authorization } : {}),
      });
      return { ...(res.size !== undefined ? { size: res.size } : {}), sources: res.sources.filter((s) => s.kind !== 'upstream' && s.url !== this.opts.peerUrl) };
    } catch {
      return undefined; // No coordinator: the upstream is always a source.
    }
  }

  private async download(writer: BlobWriter, target: FetchTarget, sources: BlobSource[]): Promise<void> {
    const started = Date.now();
    try {
      let via = 'upstream';
      let complete = false;
      for (const source of sources) {
        try {
          const res = await this.peers.open(source.url, target.digest, writer.bytesWritten > 0 ? { start: writer.bytesWritten } : undefined);
          await this.copy(res.stream, writer);
          via = source.kind;
          complete = true;
          break;
        } catch (e) {
          this.opts.observe?.('source-failed', { digest: target.digest, source: source.nodeId, err: (e as Error).message });
        }
      }
      if (!complete) {
        this.opts.observe?.('upstream-fallback', { digest: target.digest, from: writer.bytesWritten });
        await this.opts.upstreamLimit.run(async () => {
          const range = writer.bytesWritten > 0 ? { start: writer.bytesWritten } : undefined;
          const blob = await this.upstream.getBlob(target.registry.originalHost, target.repository, target.digest, { range, credential: fetchCredential(target.authorization), verify: false });
          if (range && !blob.partial) throw new Error('upstream ignored the range');
          await this.copy(blob.stream, writer);
        });
        via = 'upstream';
      }
      const { size } = await writer.commit();
      this.opts.observe?.('fetched', { digest: target.digest, size, via, ms: Date.now() - started });
      await this.control
        .announce({ nodeId: this.opts.nodeId, url: this.opts.peerUrl, entries: [{ digest: target.digest, size, source: 'edge-cache' }] })
        .catch(() => undefined); // The index is soft state; the periodic re-announce catches up.
    } catch (e) {
      await writer.abort(e as Error).catch(() => undefined);
      this.opts.observe?.('failed', { digest: target.digest, err: (e as Error).message });
    }
  }

  // Appends a source's bytes without ending the writer, so another source can continue after it.
  // Chunks are not awaited one by one: the writer queues them and writes the queue with one
  // writev, and backpressure comes from its buffer ('drain').
  private async copy(stream: Readable, writer: BlobWriter): Promise<void> {
    try {
      for await (const chunk of stream) {
        if (writer.destroyed) throw writer.failure ?? new Error('blob writer closed');
        if (!writer.write(chunk as Buffer)) await once(writer, 'drain');
      }
      await writer.flush();
    } finally {
      stream.destroy();
    }
    if (writer.expectedSize !== undefined && writer.bytesWritten < writer.expectedSize) throw new Error('source ended early');
  }
}
