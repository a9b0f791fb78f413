/*
 * WIRE CONTRACTS. Every NATS request/reply endpoint of AccelerBoat is declared here and nowhere
 * else. Subjects follow `p2p.<service>.<noun>.<verb>.v<N>`. Never change a published subject or a
 * DTO incompatibly: add a `.v2` endpoint beside the old one and retire the old one later.
 */
import { defineEndpoint, ServiceNames } from './endpoint.js';
import { LocateBlobRequest, LocateBlobResponse } from './messages/blob-locate.js';

export const Endpoints = {
  blobLocate: defineEndpoint({
    service: ServiceNames.coordinator,
    name: 'blob-locate',
    subject: 'p2p.coordinator.blob.locate.v1',
    description: 'Where a blob can be fetched from, best source first; starts a seeder job when no node has it.',
    request: LocateBlobRequest,
    response: LocateBlobResponse,
  }),
} as const;

export type EndpointKey = keyof typeof Endpoints;
