/**
 * Error codes of the OCI distribution spec ("Error Codes" table,
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes), plus the
 * HTTP status each is sent with. Clients such as containerd read `errors[].code`.
 */
export const OciErrorCodes = {
  BLOB_UNKNOWN: 404,
  BLOB_UPLOAD_INVALID: 400,
  BLOB_UPLOAD_UNKNOWN: 404,
  DIGEST_INVALID: 400,
  MANIFEST_BLOB_UNKNOWN: 404,
  MANIFEST_INVALID: 400,
  MANIFEST_UNKNOWN: 404,
  NAME_INVALID: 400,
  NAME_UNKNOWN: 404,
  SIZE_INVALID: 400,
  UNAUTHORIZED: 401,
  DENIED: 403,
  UNSUPPORTED: 405,
  TOOMANYREQUESTS: 429,
  RANGE_INVALID: 416,
  UNAVAILABLE: 503,
} as const;

export type OciErrorCode = keyof typeof OciErrorCodes;

/** A failure to be shown to a registry client as OCI error JSON. */
export class OciError extends Error {
  override name = 'OciError';

  constructor(
    readonly code: OciErrorCode,
    message: string,
    readonly status: number = OciErrorCodes[code],
    readonly detail?: unknown,
  ) {
    super(message);
  }

  /** The response body the spec prescribes: `{"errors":[{code,message,detail}]}`. */
  body(): string {
    return JSON.stringify({ errors: [{ code: this.code, message: this.message, detail: this.detail ?? null }] });
  }
}
