import { Equals } from 'class-validator';

/** The reply of endpoints that only confirm receipt (job progress, completion, heartbeats). */
export class AckResponse {
  /** Always true; failures travel as error replies, never as `ok: false`. */
  @Equals(true)
  ok!: true;
}

/** The one acknowledgement value, for handlers to return. */
export const ACK: Readonly<AckResponse> = Object.freeze({ ok: true });
