import { NatsContext } from '@nestjs/microservices';
import type { Msg, ServiceMsg } from 'nats';
import { ProtocolError, validateMessage } from '@accelerboat/registry-protocol';
import { describeError, type NatsLogger } from './logger.js';
import type { EventRoute, RequestRoute } from './routes.js';
import { decodeJson, encodeJson, errorReply } from './wire.js';

/** Runs one Nest handler to completion and yields its (last) result. */
export type Invoke = (handler: RequestRoute['handler'], data: unknown, ctx: NatsContext) => Promise<unknown>;

/**
 * Answers one request: decode, validate against the endpoint's request DTO, run the handler,
 * validate the result against the response DTO, reply with plain JSON. Every failure becomes
 * a service error reply; nothing thrown here may escape into the NATS callback.
 */
export async function answerRequest(
  route: RequestRoute,
  msg: ServiceMsg,
  invoke: Invoke,
  logger: NatsLogger,
  observe?: RequestObserver,
): Promise<void> {
  const started = process.hrtime.bigint();
  const done = (outcome: string): void => observe?.(route.def.name, outcome, Number(process.hrtime.bigint() - started) / 1e9);
  let response: object;
  try {
    const request = validateMessage(route.def.request, decodeJson(msg.data));
    const result = await invoke(route.handler, request, new NatsContext([msg.subject, msg.headers]));
    response = checkResponse(route, result, logger);
  } catch (err) {
    reportFailure(route, err, logger);
    const reply = errorReply(err);
    msg.respondError(reply.status, reply.description, reply.body);
    done(err instanceof ProtocolError ? err.code : 'INTERNAL');
    return;
  }
  msg.respond(encodeJson(response));
  done('ok');
}

/** Told about every answered request: endpoint name, `ok` or the error code, and seconds taken. */
export type RequestObserver = (endpoint: string, outcome: string, seconds: number) => void;

/**
 * Delivers one event to its handler. Events have no reply, so a payload that is not JSON or a
 * failing handler is logged and dropped.
 */
export async function deliverEvent(route: EventRoute, msg: Msg, invoke: Invoke, logger: NatsLogger): Promise<void> {
  let data: unknown;
  try {
    data = decodeJson(msg.data);
  } catch {
    logger.warn(`dropped an event on ${msg.subject}: payload is not JSON`);
    return;
  }
  try {
    await invoke(route.handler, data, new NatsContext([msg.subject, msg.headers]));
  } catch (err) {
    logger.error(`event handler for ${route.pattern} failed on ${msg.subject}: ${describeError(err)}`);
  }
}

// A handler that returns something outside its contract is a bug on this side: the caller gets
// INTERNAL, the log gets the details.
function checkResponse(route: RequestRoute, result: unknown, logger: NatsLogger): object {
  try {
    return validateMessage(route.def.response, result);
  } catch (err) {
    const why = err instanceof ProtocolError ? err.message : describeError(err);
    logger.error(`handler of ${route.def.name} returned an invalid ${route.def.response.name}: ${why}`);
    throw new ProtocolError('INTERNAL', 'internal error');
  }
}

function reportFailure(route: RequestRoute, err: unknown, logger: NatsLogger): void {
  if (err instanceof ProtocolError) {
    // Client mistakes and expected outcomes (4xx) are the caller's business, not log noise.
    if (err.status >= 500 && err.message !== 'internal error') logger.warn(`${route.def.name}: ${err.code}: ${err.message}`);
    return;
  }
  if (isNestSanitizedError(err)) {
    logger.error(
      `${route.def.name}: a handler error was replaced by Nest's default RPC exception filter, so its code is lost; ` +
        'register RpcErrorFilter (NatsTransportModule does; hybrid apps need connectMicroservice(..., { inheritAppConfig: true }))',
    );
    return;
  }
  logger.error(`${route.def.name} failed: ${describeError(err)}`);
}

// What BaseRpcExceptionFilter turns every non-RpcException into.
function isNestSanitizedError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && !(err instanceof Error) && (err as { status?: unknown }).status === 'error';
}
