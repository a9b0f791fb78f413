import type { IsUrl } from 'class-validator';

/** The options `@IsUrl()` takes (validator.js IsURLOptions, not a direct dependency here). */
export type UrlOptions = NonNullable<Parameters<typeof IsUrl>[0]>;

/** Longest URL a message carries (peer base URLs, token realms), in characters. */
export const URL_MAX_LENGTH = 2048;

/**
 * Options for `@IsUrl()` on every URL field: an explicit http or https scheme, and a host that
 * may be a bare cluster name or an IP (`http://10.0.0.5:5001`). User info is refused because a
 * URL is logged freely and must never carry a password.
 */
export const URL_OPTIONS: UrlOptions = {
  protocols: ['http', 'https'],
  require_protocol: true,
  require_tld: false,
  disallow_auth: true,
};
