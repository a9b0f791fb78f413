import { ProtocolError } from './errors.js';

type Ctor<T> = new () => T;

/** The NATS service name of each deployable, as `nats micro ls` shows it. Wire-stable. */
export const ServiceNames = {
  edgeProxy: 'edge-proxy',
  coordinator: 'master-coordinator',
  layerIndexer: 'layer-indexer',
  seeder: 'seeder',
  tracker: 'tracker',
} as const;
export type ServiceName = (typeof ServiceNames)[keyof typeof ServiceNames];

/**
 * One request/reply endpoint: the service that answers it, its endpoint name (what
 * `nats micro info` lists), its subject, and the DTO classes of both directions.
 *
 * A subject may hold `{param}` placeholders for endpoints addressed to one instance, such as
 * `p2p.layer-indexer.{node}.layer.verify.v1`; `subjectFor` fills them and validates every token.
 */
export interface EndpointDef<Req extends object = object, Res extends object = object> {
  service: ServiceName;
  name: string;
  subject: string;
  description: string;
  request: Ctor<Req>;
  response: Ctor<Res>;
}

export type RequestOf<E> = E extends EndpointDef<infer Req, object> ? Req : never;
export type ResponseOf<E> = E extends EndpointDef<object, infer Res> ? Res : never;

export function defineEndpoint<Req extends object, Res extends object>(def: EndpointDef<Req, Res>): EndpointDef<Req, Res> {
  if (!/^[A-Za-z0-9_-]+$/.test(def.name)) throw new Error(`invalid endpoint name ${def.name}`);
  return Object.freeze(def);
}

/** The placeholders of a subject template, e.g. ['node'] for `p2p.x.{node}.y.v1`. */
export function subjectParams(template: string): string[] {
  return [...template.matchAll(/\{([a-z][a-zA-Z0-9]*)\}/g)].map((m) => m[1]!);
}

// A subject token must not be empty nor contain separators or wildcards, or a caller could
// address (or subscribe to) subjects it was never meant to reach.
const TOKEN = /^[A-Za-z0-9_-]{1,128}$/;

/** Fills a subject template; throws INVALID_ARGUMENT if a parameter is missing or not one safe token. */
export function subjectFor(template: string, params: Record<string, string> = {}): string {
  return template.replace(/\{([a-z][a-zA-Z0-9]*)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new ProtocolError('INVALID_ARGUMENT', `subject parameter ${name} is missing`);
    if (!TOKEN.test(value)) throw new ProtocolError('INVALID_ARGUMENT', `subject parameter ${name} is not a single safe token`);
    return value;
  });
}
