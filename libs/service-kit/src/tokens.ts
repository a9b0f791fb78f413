import type { ServiceName } from '@accelerboat/registry-protocol';

/** Injection token of the running service's identity. */
export const SERVICE_IDENTITY = Symbol('SERVICE_IDENTITY');
/** Injection token of the process logger (pino). */
export const LOGGER = Symbol('LOGGER');

export interface ServiceIdentity {
  service: ServiceName;
  instanceId: string;
  version: string;
}
