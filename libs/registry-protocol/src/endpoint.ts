import { ProtocolError } from './errors.js';
import { idProblem } from './ids.js';

/** A DTO class: every message class has a no-argument constructor. */
export type Ctor<T> = new () => T;

/** The NATS service name of each deployable, as `nats micro ls` shows it. Wire-stable. */
export const ServiceNames = {
  edgeProxy: 'edge-proxy',
  coordinator: 'master-coordinator',
  layerIndexer: 'layer-indexer',
  seeder: 'seeder',
  tracker: 'tracker',
} as const;

/** One of the five service names. */
export type ServiceName = (typeof ServiceNames)[keyof typeof ServiceNames];

/**
 * The second token of every subject a service answers (`p2p.<token>.…`). It is the service
 * name except for the coordinator, whose subjects were named before its deployable was.
 */
export const SubjectTokens: Readonly<Record<ServiceName, string>> = {
  'edge-proxy': 'edge-proxy',
  'master-coordinator': 'coordinator',
  'layer-indexer': 'layer-indexer',
  seeder: 'seeder',
  tracker: 'tracker',
};

/**
 * One request/reply endpoint: the service that answers it, its endpoint name (what
 * `nats micro info` lists), its subject, and the DTO classes of both directions.
 *
 * A subject may hold `{param}` placeholders for endpoints addressed to one instance, such as
 * `p2p.layer-indexer.{node}.layer.verify.v1`; `subjectFor` fills them and validates every token.
 */
export interface EndpointDef<Req extends object = object, Res extends object = object> {
  /** The service whose instances answer this endpoint. */
  service: ServiceName;
  /** Kebab-case endpoint name, unique within the service (`blob-locate`). */
  name: string;
  /** Subject template, `p2p.<service>.[{param}.]<noun>.<verb>.v<N>`. */
  subject: string;
  /** One sentence for `nats micro info` and for the docs. */
  description: string;
  /** The request DTO class; handlers validate incoming payloads with it. */
  request: Ctor<Req>;
  /** The response DTO class; callers validate replies with it. */
  response: Ctor<Res>;
}

/** The request type of an endpoint definition. */
export type RequestOf<E> = E extends EndpointDef<infer Req, object> ? Req : never;
/** The response type of an endpoint definition. */
export type ResponseOf<E> = E extends EndpointDef<object, infer Res> ? Res : never;

const ENDPOINT_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const PLACEHOLDER = /\{([a-z][a-zA-Z0-9]*)\}/g;
const LITERAL_TOKEN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const VERSION_TOKEN = /^v[1-9][0-9]*$/;

/**
 * Declares an endpoint and freezes it. Throws at module load when the name or the subject breaks
 * the conventions, so a malformed contract never reaches a running service.
 */
export function defineEndpoint<Req extends object, Res extends object>(def: EndpointDef<Req, Res>): EndpointDef<Req, Res> {
  if (!ENDPOINT_NAME.test(def.name)) throw new Error(`endpoint name ${JSON.stringify(def.name)} must be kebab-case`);
  const problem = subjectTemplateProblem(def.subject, def.service);
  if (problem) throw new Error(`endpoint ${def.name}: subject ${JSON.stringify(def.subject)} ${problem}`);
  return Object.freeze({ ...def });
}

function subjectTemplateProblem(subject: string, service: ServiceName): string | undefined {
  const tokens = subject.split('.');
  if (tokens[0] !== 'p2p' || tokens[1] !== SubjectTokens[service]) return `must start with p2p.${SubjectTokens[service]}.`;
  if (!VERSION_TOKEN.test(tokens.at(-1) ?? '')) return 'must end with a version token such as .v1';
  if (tokens.length < 5) return 'must name a noun and a verb';
  const bad = tokens.slice(2, -1).find((t) => !LITERAL_TOKEN.test(t) && !/^\{[a-z][a-zA-Z0-9]*\}$/.test(t));
  if (bad !== undefined) return `has an invalid token ${JSON.stringify(bad)}`;
  return undefined;
}

/** The placeholders of a subject template, e.g. ['node'] for `p2p.x.{node}.y.v1`. */
export function subjectParams(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/**
 * Fills a subject template; throws INVALID_ARGUMENT if a parameter is missing or is not one safe
 * token. A token must not be empty nor contain separators or wildcards, or a caller could address
 * (or subscribe to) subjects it was never meant to reach; the node id grammar is exactly that.
 */
export function subjectFor(template: string, params: Readonly<Record<string, string>> = {}): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const value = Object.hasOwn(params, name) ? params[name] : undefined;
    if (value === undefined) throw new ProtocolError('INVALID_ARGUMENT', `subject parameter ${name} is missing`);
    if (idProblem(value) !== undefined) throw new ProtocolError('INVALID_ARGUMENT', `subject parameter ${name} is not a single safe token`);
    return value;
  });
}
