import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Digest } from '@accelerboat/registry-protocol';
import type { ContentInfo, ContentStore, ReadRange } from './content-store.js';
import type { ContainerdClients, WireInfo } from './grpc-api.js';
import { contentError, grpcCode, namespaceMetadata } from './grpc-errors.js';
import { status } from '@grpc/grpc-js';

/** How a ContainerdContent reaches containerd. */
export interface ContainerdContentOptions {
  /** The namespace whose content is listed and read (metadata `containerd-namespace`). */
  namespace: string;
  /**
   * containerd's content directory (`io.containerd.content.v1.content`). When set, bytes are read
   * from `<dir>/blobs/<alg>/<hex>` without a copy through gRPC; blobs not found there still are.
   */
  contentDir?: string;
  /** Deadline of an info call (default 5 s); list gets twelve times as long. */
  callTimeoutMs?: number;
}

const toInfo = (i: WireInfo): ContentInfo => ({ digest: i.digest, size: Number(i.size), labels: { ...i.labels } });

/** The ContentStore of a containerd daemon, over its content service on the unix socket. */
export class ContainerdContent implements ContentStore {
  private readonly callTimeoutMs: number;

  constructor(
    private readonly clients: Pick<ContainerdClients, 'content'>,
    private readonly opts: ContainerdContentOptions,
  ) {
    this.callTimeoutMs = opts.callTimeoutMs ?? 5000;
  }

  async *list(): AsyncIterable<ContentInfo> {
    const call = this.clients.content.List({ filters: [] }, namespaceMetadata(this.opts.namespace), { deadline: Date.now() + this.callTimeoutMs * 12 });
    try {
      for await (const batch of call as AsyncIterable<{ info: WireInfo[] }>) {
        for (const info of batch.info) yield toInfo(info);
      }
    } catch (err) {
      throw contentError(err, undefined, 'list');
    } finally {
      // A consumer that stops early must not leave the server streaming; the CANCELLED error
      // that cancelling emits has no reader left.
      call.on('error', () => undefined);
      call.cancel();
    }
  }

  async info(digest: string): Promise<ContentInfo | undefined> {
    const d = Digest.parse(digest).toString();
    return new Promise((resolve, reject) => {
      this.clients.content.Info({ digest: d }, namespaceMetadata(this.opts.namespace), { deadline: Date.now() + this.callTimeoutMs }, (err, res) => {
        if (grpcCode(err) === status.NOT_FOUND) resolve(undefined);
        else if (err) reject(contentError(err, d, 'info'));
        else resolve(res?.info ? toInfo(res.info) : undefined);
      });
    });
  }

  read(digest: string, range: ReadRange = {}): Readable {
    return Readable.from(this.chunks(digest, range), { objectMode: false });
  }

  private async *chunks(digest: string, range: ReadRange): AsyncGenerator<Buffer> {
    const d = Digest.parse(digest);
    const offset = range.offset ?? 0;
    if (!Number.isSafeInteger(offset) || offset < 0 || (range.size !== undefined && (!Number.isSafeInteger(range.size) || range.size < 0))) {
      throw new RangeError(`bad read range ${offset}+${range.size}`);
    }
    // containerd reads "to the end" when size is 0, so an empty range never reaches it.
    if (range.size === 0) return;
    const file = await this.openLocal(d);
    if (file) {
      const end = range.size === undefined ? undefined : offset + range.size - 1;
      yield* file.createReadStream({ start: offset, ...(end !== undefined ? { end } : {}) });
      return;
    }
    const call = this.clients.content.Read({ digest: d.toString(), offset, size: range.size ?? 0 }, namespaceMetadata(this.opts.namespace));
    try {
      for await (const chunk of call as AsyncIterable<{ data: Buffer }>) yield chunk.data;
    } catch (err) {
      throw contentError(err, d.toString(), 'read');
    } finally {
      call.on('error', () => undefined);
      call.cancel();
    }
  }

  // The parsed digest is all hex, so the joined path cannot leave the content directory.
  private async openLocal(d: Digest): Promise<FileHandle | undefined> {
    if (!this.opts.contentDir) return undefined;
    try {
      return await open(join(this.opts.contentDir, 'blobs', d.algorithm, d.hex), 'r');
    } catch {
      // Not there (or not readable by us): containerd itself still answers.
      return undefined;
    }
  }
}
