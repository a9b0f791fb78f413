/** One HTTP request as the registry logged it (Apache combined format, distribution's `accesslog`). */
export interface AccessLogEntry {
  method: string;
  /** Path without the query string, e.g. `/v2/team/app/blobs/sha256:…`. */
  path: string;
  query: string;
  status: number;
  /** Response body bytes ('-' is 0). */
  bytes: number;
  userAgent: string;
  time: string;
  /** What the path addresses, for counting upstream traffic. */
  kind: 'base' | 'manifest' | 'blob' | 'upload' | 'tags' | 'catalog' | 'other';
  /** Repository name for manifest/blob/upload/tags requests. */
  repository?: string;
  /** Tag or digest for manifest and blob requests. */
  reference?: string;
}

// 127.0.0.1 - - [22/Nov/2026:06:44:47 +0000] "GET /v2/x/y/manifests/latest?ns=a%20b HTTP/1.1" 404 96 "" "foo \"bar\""
// The logrus "response completed" lines carry the same facts, but the combined line is the one
// line per request that is always written (also for 401 challenges), so only it is parsed.
const COMBINED =
  /^(\S+) \S+ \S+ \[([^\]]+)\] "(\S+) (\S+) [^"]*" (\d{3}) (\d+|-) "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"\s*$/;

/** Parses one combined-format access log line; other lines yield undefined. */
export function parseAccessLogLine(line: string): AccessLogEntry | undefined {
  const m = COMBINED.exec(line);
  if (!m) return undefined;
  const target = m[4]!;
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const entry: AccessLogEntry = {
    method: m[3]!,
    path,
    query: q < 0 ? '' : target.slice(q + 1),
    status: Number(m[5]),
    bytes: m[6] === '-' ? 0 : Number(m[6]),
    userAgent: m[8]!.replace(/\\(.)/g, '$1'),
    time: m[2]!,
    kind: 'other',
  };
  return { ...entry, ...classify(path) };
}

/** Classifies a registry API path (distribution v2 routes). */
export function classify(path: string): Pick<AccessLogEntry, 'kind' | 'repository' | 'reference'> {
  if (path === '/v2/' || path === '/v2') return { kind: 'base' };
  if (path === '/v2/_catalog') return { kind: 'catalog' };
  let m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(path);
  if (m && m[3] !== 'uploads') return { kind: m[2] === 'manifests' ? 'manifest' : 'blob', repository: m[1], reference: decodeURIComponent(m[3]!) };
  m = /^\/v2\/(.+)\/blobs\/uploads(\/.*)?$/.exec(path);
  if (m) return { kind: 'upload', repository: m[1] };
  m = /^\/v2\/(.+)\/tags\/list$/.exec(path);
  if (m) return { kind: 'tags', repository: m[1] };
  return { kind: 'other' };
}
