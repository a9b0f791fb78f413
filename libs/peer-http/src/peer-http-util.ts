/** A single `bytes=<start>-[<end>]` range; 'invalid' for anything else (suffix and multi ranges included). */
export function parseSingleRange(header: string | undefined): { start: number; end?: number } | 'invalid' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d+)-(\d*)$/.exec(header.trim());
  if (!m) return 'invalid';
  const start = Number(m[1]);
  const end = m[2] ? Number(m[2]) : undefined;
  if (!Number.isSafeInteger(start) || (end !== undefined && end < start)) return 'invalid';
  return { start, end };
}

/** An OCI-style error body, as the registry surface answers too. */
export function error(code: string, message: string): string {
  return JSON.stringify({ errors: [{ code, message, detail: null }] });
}
