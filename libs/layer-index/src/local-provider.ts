/** What a LocalProvider reports between two scans. */
export interface ProviderListener {
  /** A blob appeared. */
  added(digest: string, size: number): void;
  /** A blob is gone. */
  removed(digest: string): void;
  /** Something changed that only a new scan can tell (an image event, a resumed subscription). */
  rescan(): void;
}

/**
 * One place on this node that holds blobs: a content-addressed blob directory (edge cache,
 * seeder store) or containerd's content store. The LocalContentAnnouncer keeps the layer index in
 * step with what providers report.
 */
export interface LocalProvider {
  /** For logs, e.g. `containerd` or `/var/lib/accelerboat/cache`. */
  readonly name: string;
  /**
   * Every blob held now, digest to size. Rejects when the store cannot be read: its claims are
   * then neither refreshed nor withdrawn, so they expire unless the store comes back.
   */
  scan(): Promise<Map<string, number>>;
  /** Starts reporting changes to `listener`; the returned function stops it. */
  watch(listener: ProviderListener): () => void;
}

/** The few logger methods the announcer uses (pino's signature). */
export interface AnnouncerLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

/** A logger that drops everything, for tests and callers without one. */
export const SILENT_LOGGER: AnnouncerLogger = { info: () => undefined, warn: () => undefined, debug: () => undefined };

/** A short, secret-free description of an error for logs. */
export function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
