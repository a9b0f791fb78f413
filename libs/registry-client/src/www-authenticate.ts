/*
 * `WWW-Authenticate` parsing (RFC 9110 section 11.6.1 and 11.2): one header may carry several
 * challenges, each `scheme [token68 | name=value, ...]`, with values as tokens or quoted strings.
 * The header comes from an upstream we do not control, so the parser is total: it never throws,
 * bounds its work, and returns whatever well-formed parts it found.
 */

/** A challenge's scheme, lowercased (schemes compare case-insensitively). */
export type AuthScheme = 'bearer' | 'basic' | (string & NonNullable<unknown>);

/** One challenge of a `WWW-Authenticate` header. */
export interface AuthChallenge {
  /** Lowercased scheme: `bearer`, `basic` or anything else the server named. */
  scheme: AuthScheme;
  /**
   * Parameters by lowercased name (`realm`, `service`, `scope`, `error`, ...), unescaped. A
   * prototype-less object, so a hostile `constructor=` or `__proto__=` is just another key. A
   * token68 (`Negotiate abc==`) is kept under the name `token68`.
   */
  params: Record<string, string>;
}

/** Longest header examined; the rest is ignored (real challenges are well under 1 KiB). */
export const WWW_AUTHENTICATE_MAX_LENGTH = 16 * 1024;
/** Most challenges returned from one header. */
export const MAX_CHALLENGES = 16;
/** Most parameters kept per challenge. */
export const MAX_CHALLENGE_PARAMS = 32;

// RFC 9110 tchar: the characters of a token (scheme and parameter names, unquoted values).
const TCHAR = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;
const TOKEN68_TAIL = /^=*\s*(?:,|$)/;

/**
 * Parses a `WWW-Authenticate` header (or several joined with ", ") into its challenges, in order.
 * Hostile input (unterminated quotes, huge headers, missing parameters, junk) yields a best-effort
 * result and never an exception.
 */
export function parseWwwAuthenticate(header: string | readonly string[] | undefined): AuthChallenge[] {
  if (header === undefined) return [];
  const text = (typeof header === 'string' ? header : header.join(', ')).slice(0, WWW_AUTHENTICATE_MAX_LENGTH);
  try {
    return new ChallengeParser(text).parse();
  } catch {
    // The parser is written not to throw; this guard keeps the promise if it ever does.
    return [];
  }
}

/** The first challenge with the given scheme, if any. */
export function findChallenge(challenges: readonly AuthChallenge[], scheme: 'bearer' | 'basic'): AuthChallenge | undefined {
  return challenges.find((c) => c.scheme === scheme);
}

class ChallengeParser {
  private pos = 0;

  constructor(private readonly s: string) {}

  parse(): AuthChallenge[] {
    const out: AuthChallenge[] = [];
    while (out.length < MAX_CHALLENGES) {
      this.skip(/[\s,]/);
      if (this.pos >= this.s.length) break;
      const scheme = this.token();
      if (!scheme) {
        // Not a token character where a scheme must start: drop it and resynchronise.
        this.pos += 1;
        continue;
      }
      const challenge: AuthChallenge = { scheme: scheme.toLowerCase(), params: Object.create(null) as Record<string, string> };
      out.push(challenge);
      this.params(challenge);
    }
    return out;
  }

  /** Reads `name=value` pairs until something that starts a new challenge (or the end). */
  private params(challenge: AuthChallenge): void {
    let count = 0;
    for (;;) {
      const save = this.pos;
      this.skip(/[\s,]/);
      const name = this.token();
      if (!name) {
        if (this.pos < this.s.length && this.s[this.pos] !== ',') this.skipToComma();
        if (this.pos >= this.s.length) return;
        continue;
      }
      this.skip(/[ \t]/);
      if (this.s[this.pos] !== '=') {
        // A bare token after a comma is the next challenge's scheme.
        this.pos = save;
        return;
      }
      if (count === 0 && TOKEN68_TAIL.test(this.s.slice(this.pos, this.pos + 64))) {
        // `scheme abc==`: a token68 credential blob rather than a parameter.
        const equals = this.pos;
        this.skip(/=/);
        this.set(challenge, 'token68', name + this.s.slice(equals, this.pos), count++);
        continue;
      }
      this.pos += 1;
      this.skip(/[ \t]/);
      const value = this.s[this.pos] === '"' ? this.quoted() : this.bare();
      this.set(challenge, name.toLowerCase(), value, count++);
      this.skip(/[ \t]/);
      if (this.pos < this.s.length && this.s[this.pos] !== ',') this.skipToComma();
    }
  }

  /** First occurrence wins: a repeated `realm=` cannot override the one already read. */
  private set(challenge: AuthChallenge, name: string, value: string, count: number): void {
    if (count >= MAX_CHALLENGE_PARAMS || Object.hasOwn(challenge.params, name)) return;
    challenge.params[name] = value;
  }

  private token(): string | undefined {
    const start = this.pos;
    while (this.pos < this.s.length && TCHAR.test(this.s[this.pos]!)) this.pos += 1;
    return this.pos > start ? this.s.slice(start, this.pos) : undefined;
  }

  /**
   * An unquoted value. RFC 9110 allows only token characters, but servers do send bare URLs
   * (`realm=https://a/token`), so anything up to a comma or whitespace is taken.
   */
  private bare(): string {
    const start = this.pos;
    while (this.pos < this.s.length && !/[\s,]/.test(this.s[this.pos]!)) this.pos += 1;
    return this.s.slice(start, this.pos);
  }

  /** A quoted-string with `\x` escapes; an unterminated one runs to the end of the header. */
  private quoted(): string {
    this.pos += 1;
    let value = '';
    while (this.pos < this.s.length) {
      const c = this.s[this.pos]!;
      if (c === '"') {
        this.pos += 1;
        return value;
      }
      if (c === '\\' && this.pos + 1 < this.s.length) this.pos += 1;
      value += this.s[this.pos];
      this.pos += 1;
    }
    return value;
  }

  private skip(chars: RegExp): void {
    while (this.pos < this.s.length && chars.test(this.s[this.pos]!)) this.pos += 1;
  }

  /** Skips junk up to the next comma that is not inside quotes. */
  private skipToComma(): void {
    while (this.pos < this.s.length && this.s[this.pos] !== ',') {
      if (this.s[this.pos] === '"') this.quoted();
      else this.pos += 1;
    }
  }
}
