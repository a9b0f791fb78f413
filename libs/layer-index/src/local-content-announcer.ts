import type { LayerIndex, LayerSource } from './layer-index.js';
import { errorText, SILENT_LOGGER, type AnnouncerLogger, type LocalProvider } from './local-provider.js';

/** Most entries written to the index in one pipelined batch. */
export const ANNOUNCE_BATCH_MAX = 1000;

/** Providers whose blobs are claimed under one source and one peer URL. */
export interface AnnounceGroup {
  source: LayerSource;
  /** Peer endpoint that serves these blobs (`${url}/blobs/${digest}`). */
  url: string;
  providers: LocalProvider[];
}

/** What a LocalContentAnnouncer is built from. */
export interface LocalContentAnnouncerOptions {
  index: Pick<LayerIndex, 'announce' | 'withdraw'>;
  /** This node. */
  nodeId: string;
  /** Lifetime of a claim; everything is announced again every third of it. */
  ttlSeconds: number;
  groups: AnnounceGroup[];
  /** Entries per index write (default and maximum ANNOUNCE_BATCH_MAX). */
  batchSize?: number;
  /** How long single additions and removals are gathered into one write (default 100 ms). */
  flushDelayMs?: number;
  logger?: AnnouncerLogger;
}

/** The announcer's view of one group: what each provider holds and what is claimed. */
class GroupState {
  readonly held = new Map<LocalProvider, Map<string, number>>();
  /** Providers whose last scan failed: their blobs are neither refreshed nor withdrawn. */
  readonly stale = new Set<LocalProvider>();
  readonly claimed = new Map<string, number>();
  readonly toAdd = new Map<string, number>();
  readonly toRemove = new Set<string>();
  readonly rescans = new Set<LocalProvider>();
  chain: Promise<void> = Promise.resolve();
  flushTimer: NodeJS.Timeout | undefined;

  constructor(readonly group: AnnounceGroup) {}

  /** Whether any provider but `except` (a stale one included) still holds the blob. */
  heldElsewhere(digest: string, except?: LocalProvider): boolean {
    for (const [p, blobs] of this.held) if (p !== except && blobs.has(digest)) return true;
    return false;
  }
}

/**
 * Keeps the layer index in step with the blobs on this node. Every ttl/3 each group is scanned
 * and announced whole (so a claim survives two lost rounds), and claims no provider backs any more
 * are withdrawn. Between rounds, providers report additions and removals (fs.watch, containerd
 * events), which are written within flushDelayMs. Work on one group runs in order, so a scan and
 * an event never interleave; a failed write is logged and left to the next round or the TTL.
 */
export class LocalContentAnnouncer {
  private readonly groups: GroupState[];
  private readonly batchSize: number;
  private readonly logger: AnnouncerLogger;
  private timer: NodeJS.Timeout | undefined;
  private unwatch: (() => void)[] = [];
  private rounding: Promise<void> | undefined;

  constructor(private readonly opts: LocalContentAnnouncerOptions) {
    this.groups = opts.groups.map((g) => new GroupState(g));
    this.batchSize = Math.max(1, Math.min(opts.batchSize ?? ANNOUNCE_BATCH_MAX, ANNOUNCE_BATCH_MAX));
    this.logger = opts.logger ?? SILENT_LOGGER;
  }

  /** Every how many milliseconds everything is announced again. */
  get intervalMs(): number {
    return Math.max(1000, Math.floor((this.opts.ttlSeconds * 1000) / 3));
  }

  /** Announces everything now and then every intervalMs, and starts following the providers. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.round(), this.intervalMs);
    this.timer.unref();
    void this.round();
    for (const g of this.groups) {
      for (const p of g.group.providers) {
        this.unwatch.push(
          p.watch({
            added: (digest, size) => this.change(g, p, digest, size),
            removed: (digest) => this.change(g, p, digest, undefined),
            rescan: () => this.rescan(g, p),
          }),
        );
      }
    }
  }

  /** Stops following and announcing, and waits for the writes under way. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const u of this.unwatch.splice(0)) u();
    for (const g of this.groups) clearTimeout(g.flushTimer);
    await this.settled();
  }

  /** One full round over every group; a round under way is joined rather than run twice. */
  round(): Promise<void> {
    this.rounding ??= Promise.all(this.groups.map((g) => this.enqueue(g, () => this.fullRound(g)))).then(
      () => undefined,
      () => undefined,
    );
    const current = this.rounding;
    void current.finally(() => this.rounding === current && (this.rounding = undefined));
    return current;
  }

  /** Resolves once all work queued so far is done (pending additions and removals included). */
  async settled(): Promise<void> {
    for (const g of this.groups) {
      if (g.flushTimer) {
        clearTimeout(g.flushTimer);
        g.flushTimer = undefined;
        void this.enqueue(g, () => this.flush(g));
      }
    }
    await Promise.all(this.groups.map((g) => g.chain));
  }

  /** What this node claims now for one source, digest to size. */
  claims(source: LayerSource): Map<string, number> {
    const out = new Map<string, number>();
    for (const g of this.groups) if (g.group.source === source) for (const [d, s] of g.claimed) out.set(d, s);
    return out;
  }

  private enqueue(g: GroupState, work: () => Promise<void>): Promise<void> {
    g.chain = g.chain.then(work).catch((err: unknown) => this.logger.warn({ err: errorText(err), source: g.group.source }, 'layer announcer step failed'));
    return g.chain;
  }

  private async scan(g: GroupState, p: LocalProvider): Promise<Map<string, number> | undefined> {
    try {
      const blobs = await p.scan();
      g.held.set(p, blobs);
      g.stale.delete(p);
      return blobs;
    } catch (err) {
      if (!g.stale.has(p)) this.logger.warn({ err: errorText(err), provider: p.name }, 'cannot list local blobs; their claims expire unless the store comes back');
      g.stale.add(p);
      return undefined;
    }
  }

  private async fullRound(g: GroupState): Promise<void> {
    for (const p of g.group.providers) await this.scan(g, p);
    const live = new Map<string, number>();
    for (const [p, blobs] of g.held) if (!g.stale.has(p)) for (const [d, s] of blobs) live.set(d, s);
    const gone = [...g.claimed.keys()].filter((d) => !live.has(d) && !g.heldElsewhere(d));
    await this.write(g, [...live], gone);
    this.logger.debug({ source: g.group.source, announced: live.size, withdrawn: gone.length }, 'layer index round');
  }

  private rescan(g: GroupState, p: LocalProvider): void {
    if (g.rescans.has(p)) return; // one queued rescan covers every request made before it starts
    g.rescans.add(p);
    void this.enqueue(g, async () => {
      g.rescans.delete(p);
      const before = g.held.get(p) ?? new Map<string, number>();
      const now = await this.scan(g, p);
      if (!now) return;
      const fresh = [...now].filter(([d]) => !g.claimed.has(d));
      const gone = [...before.keys()].filter((d) => !now.has(d) && !g.heldElsewhere(d, p));
      await this.write(g, fresh, gone);
    });
  }

  private change(g: GroupState, p: LocalProvider, digest: string, size: number | undefined): void {
    const blobs = g.held.get(p) ?? new Map<string, number>();
    g.held.set(p, blobs);
    if (size !== undefined) {
      blobs.set(digest, size);
      g.toRemove.delete(digest);
      if (!g.claimed.has(digest)) g.toAdd.set(digest, size);
    } else {
      blobs.delete(digest);
      g.toAdd.delete(digest);
      if (!g.heldElsewhere(digest)) g.toRemove.add(digest);
    }
    // Eviction and pulls touch many blobs at once; a short wait turns them into few writes.
    g.flushTimer ??= setTimeout(() => {
      g.flushTimer = undefined;
      void this.enqueue(g, () => this.flush(g));
    }, this.opts.flushDelayMs ?? 100);
  }

  private async flush(g: GroupState): Promise<void> {
    const add = [...g.toAdd];
    const remove = [...g.toRemove].filter((d) => !g.heldElsewhere(d));
    g.toAdd.clear();
    g.toRemove.clear();
    await this.write(g, add, remove);
  }

  /** Announces and withdraws in batches, and records the outcome as the group's claims. */
  private async write(g: GroupState, announce: [string, number][], withdraw: string[]): Promise<void> {
    const { index, nodeId, ttlSeconds } = this.opts;
    const { source, url } = g.group;
    for (let i = 0; i < announce.length; i += this.batchSize) {
      const batch = announce.slice(i, i + this.batchSize);
      try {
        await index.announce(nodeId, url, batch.map(([digest, size]) => ({ digest, size, source })), ttlSeconds);
        for (const [d, s] of batch) g.claimed.set(d, s);
      } catch (err) {
        this.logger.warn({ err: errorText(err), source, count: batch.length }, 'announcing to the layer index failed; the next round retries');
      }
    }
    for (let i = 0; i < withdraw.length; i += this.batchSize) {
      const batch = withdraw.slice(i, i + this.batchSize);
      // Forgotten either way: if the withdraw is lost, the claim is not renewed and expires.
      for (const d of batch) g.claimed.delete(d);
      try {
        await index.withdraw(nodeId, batch, source);
      } catch (err) {
        this.logger.warn({ err: errorText(err), source, count: batch.length }, 'withdrawing from the layer index failed; the claims will expire');
      }
    }
  }
}
