import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MessageHandler } from '@nestjs/microservices';
import { Endpoints, LocateBlobRequest, LocateBlobResponse, ServiceNames, type EndpointDef } from '@accelerboat/registry-protocol';
import { resolveRoutes } from './routes.js';

function handler(isEventHandler = false, extras: Record<string, unknown> = {}): MessageHandler {
  const h: MessageHandler = async () => undefined;
  h.isEventHandler = isEventHandler;
  h.extras = extras;
  return h;
}

const perNode: EndpointDef = {
  service: ServiceNames.layerIndexer,
  name: 'layer-verify',
  subject: 'p2p.layer-indexer.{node}.layer.verify.v1',
  description: 'test',
  request: LocateBlobRequest,
  response: LocateBlobResponse,
};

describe('resolveRoutes', () => {
  it('binds a @MessagePattern on an endpoint subject to its contract', () => {
    const routes = resolveRoutes(new Map([[Endpoints.blobLocate.subject, handler()]]), ServiceNames.coordinator);
    assert.equal(routes.requests.length, 1);
    assert.equal(routes.requests[0]?.def, Endpoints.blobLocate);
    assert.equal(routes.requests[0]?.subject, 'p2p.coordinator.blob.locate.v1');
  });

  it('fails on a pattern that is not an endpoint subject', () => {
    assert.throws(() => resolveRoutes(new Map([['coord.lookup', handler()]]), ServiceNames.coordinator), /not the subject of any endpoint/);
  });

  it("fails on another service's endpoint", () => {
    assert.throws(() => resolveRoutes(new Map([[Endpoints.blobLocate.subject, handler()]]), ServiceNames.seeder), /belongs to service master-coordinator/);
  });

  it('fills subject placeholders and requires them', () => {
    const handlers = new Map([[perNode.subject, handler()]]);
    const routes = resolveRoutes(handlers, ServiceNames.layerIndexer, { node: 'node-a' }, [perNode]);
    assert.equal(routes.requests[0]?.subject, 'p2p.layer-indexer.node-a.layer.verify.v1');
    assert.throws(() => resolveRoutes(handlers, ServiceNames.layerIndexer, {}, [perNode]), /parameter node is missing/);
    assert.throws(() => resolveRoutes(handlers, ServiceNames.layerIndexer, { node: 'a.>' }, [perNode]), /single safe token/);
  });

  it('keeps event patterns as plain subscriptions, with their queue', () => {
    const routes = resolveRoutes(new Map([['p2p.events.>', handler(true, { queue: 'audit' })]]), ServiceNames.tracker);
    assert.deepEqual(
      routes.events.map((e) => [e.subject, e.queue]),
      [['p2p.events.>', 'audit']],
    );
    assert.equal(routes.requests.length, 0);
  });
});
