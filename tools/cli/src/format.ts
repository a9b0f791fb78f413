/** Binary units, as `du -h` and registries' UIs count. */
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** `1536` → `1.5 KiB`; whole bytes below 1 KiB. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '?';
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** `sha256:<64 hex>` → `sha256:<first 12 hex>`, what `docker images` shows. */
export function shortDigest(digest: string): string {
  const colon = digest.indexOf(':');
  return colon < 0 ? digest.slice(0, 19) : digest.slice(0, colon + 13);
}

/** A duration in the largest whole unit that fits: `42s`, `3m`, `5h`, `2d`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** How long ago an ISO 8601 instant was, from `now`; `?` for an unreadable one. */
export function formatAge(iso: string | undefined, now = Date.now()): string {
  const at = iso ? Date.parse(iso) : Number.NaN;
  return Number.isNaN(at) ? '?' : formatDuration(now - at);
}

/** Whole percent of `done` in `total`, capped at 100; undefined when the total is unknown. */
export function percent(done: number, total: number | undefined): number | undefined {
  if (total === undefined || total <= 0) return total === 0 ? 100 : undefined;
  return Math.min(100, Math.floor((done / total) * 100));
}

/**
 * Text from the network made safe for a terminal: control characters (escape sequences that
 * could rewrite the screen or forge lines) become `?`.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}
