import type { MessageHandler } from '@nestjs/microservices';
import { Endpoints, subjectFor, subjectParams, type EndpointDef, type ServiceName } from '@accelerboat/registry-protocol';

/** A `@MessagePattern` handler bound to its endpoint contract and concrete subject. */
export interface RequestRoute {
  def: EndpointDef;
  subject: string;
  handler: MessageHandler;
}

/** An `@EventPattern` handler bound to its concrete subject (wildcards allowed). */
export interface EventRoute {
  pattern: string;
  subject: string;
  queue?: string;
  handler: MessageHandler;
}

/** Everything a transport has to subscribe to, resolved before anything is subscribed. */
export interface Routes {
  requests: RequestRoute[];
  events: EventRoute[];
}

/**
 * Binds Nest's registered handlers to the contracts in `Endpoints`. A request pattern must be
 * the subject template of an endpoint of this very service: anything else is a wiring mistake
 * that should stop the process at boot, not become a subject nobody ever calls.
 */
export function resolveRoutes(
  handlers: ReadonlyMap<string, MessageHandler>,
  service: ServiceName,
  params: Record<string, string> = {},
  endpoints: Iterable<EndpointDef> = Object.values(Endpoints),
): Routes {
  const bySubject = new Map<string, EndpointDef>();
  for (const def of endpoints) bySubject.set(def.subject, def);
  const routes: Routes = { requests: [], events: [] };
  for (const [pattern, handler] of handlers) {
    if (handler.isEventHandler) {
      const queue = queueOf(handler.extras);
      routes.events.push({ pattern, subject: fill(pattern, params), handler, ...(queue ? { queue } : {}) });
      continue;
    }
    const def = bySubject.get(pattern);
    if (!def) {
      throw new Error(
        `@MessagePattern(${JSON.stringify(pattern)}) is not the subject of any endpoint in registry-protocol's Endpoints; ` +
          'use @MessagePattern(Endpoints.<name>.subject)',
      );
    }
    if (def.service !== service) {
      throw new Error(`endpoint ${def.name} (${def.subject}) belongs to service ${def.service}, not ${service}`);
    }
    routes.requests.push({ def, subject: fill(pattern, params), handler });
  }
  return routes;
}

// Placeholders such as `{node}` are filled from the transport's subjectParams; a missing value
// is reported with the pattern so the operator sees which handler needs it.
function fill(template: string, params: Record<string, string>): string {
  if (subjectParams(template).length === 0) return template;
  try {
    return subjectFor(template, params);
  } catch (err) {
    throw new Error(`cannot build the subject of ${template}: ${(err as Error).message}`, { cause: err });
  }
}

function queueOf(extras: Record<string, unknown> | undefined): string | undefined {
  const queue = extras?.queue;
  return typeof queue === 'string' && queue.length > 0 ? queue : undefined;
}
