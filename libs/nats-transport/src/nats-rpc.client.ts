import type { NatsConnection } from 'nats';
import {
  ProtocolError,
  subjectFor,
  validateMessage,
  type EndpointDef,
  type RequestOf,
  type ResponseOf,
} from '@accelerboat/registry-protocol';
import { decodeJson, encodeJson, errorFromNats, errorFromReply } from './wire.js';

/** Client-wide settings. */
export interface NatsRpcClientOptions {
  /** Default deadline per request (NATS_REQUEST_TIMEOUT_MS). */
  timeoutMs: number;
}

/** Per-call settings. */
export interface RequestOptions {
  /** Values for the endpoint's subject placeholders, e.g. `{ node: 'node-a' }`. */
  params?: Record<string, string>;
  /** Overrides the client's default deadline for this call. */
  timeoutMs?: number;
}

// Subjects we publish events on must be concrete: a wildcard or an empty token would be refused
// by the server anyway, but only after the fact and without saying which call did it.
const EVENT_SUBJECT = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/**
 * Typed request/reply over NATS against the contracts in `Endpoints`. Both directions are
 * validated with the endpoint's DTO classes, and every failure comes back as a ProtocolError:
 * the responder's own code, TIMEOUT when nobody answered in time, UNAVAILABLE when nobody
 * listens. Named per-service clients (e.g. a CoordinatorClient) wrap this one.
 */
export class NatsRpcClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly options: NatsRpcClientOptions,
  ) {}

  /** Sends one request and returns the validated reply; throws ProtocolError on any failure. */
  async request<E extends EndpointDef>(endpoint: E, body: RequestOf<E>, opts: RequestOptions = {}): Promise<ResponseOf<E>> {
    // Validate locally first: a malformed request is our bug, and reporting it here names the
    // caller instead of producing a remote INVALID_ARGUMENT.
    validateMessage(endpoint.request, body);
    const subject = subjectFor(endpoint.subject, opts.params);
    let reply;
    try {
      reply = await this.nc.request(subject, encodeJson(body), { timeout: opts.timeoutMs ?? this.options.timeoutMs });
    } catch (err) {
      throw errorFromNats(err, subject);
    }
    const failure = errorFromReply(reply.headers, reply.data);
    if (failure) throw failure;
    try {
      return validateMessage(endpoint.response, decodeJson(reply.data)) as ResponseOf<E>;
    } catch (err) {
      // A reply outside the contract is the responder's fault, not an invalid argument of ours.
      const why = err instanceof ProtocolError ? err.message : String(err);
      throw new ProtocolError('INTERNAL', `invalid reply from ${endpoint.service} on ${subject}: ${why}`, undefined, { cause: err });
    }
  }

  /** Publishes one event (fire and forget) as plain JSON on a concrete subject. */
  publishEvent(subject: string, event: object): void {
    if (!EVENT_SUBJECT.test(subject)) throw new ProtocolError('INVALID_ARGUMENT', `event subject ${JSON.stringify(subject)} is not a concrete subject`);
    try {
      this.nc.publish(subject, encodeJson(event));
    } catch (err) {
      // A closed connection surfaces as UNAVAILABLE, not as a NATS error type domain code
      // should not have to know.
      throw errorFromNats(err, subject);
    }
  }
}
