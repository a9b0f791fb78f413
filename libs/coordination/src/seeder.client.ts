import type { NatsRpcClient } from '@accelerboat/nats-transport';
import { Endpoints, type AssignJobRequest, type AssignJobResponse } from '@accelerboat/registry-protocol';

/** Hands download jobs to seeders; what the JobScheduler needs of the seeders' API. */
export interface SeederAssigner {
  /**
   * Offers one seeder a job and returns its answer (`accepted: false` when it is full or
   * draining). Throws a ProtocolError when the seeder failed, is gone, or did not answer in time.
   */
  assign(seederId: string, req: AssignJobRequest, timeoutMs?: number): Promise<AssignJobResponse>;
}

/**
 * The seeder's API as the coordinator calls it: one subject per seeder
 * (`Endpoints.jobAssign` with `{seeder}` filled), validated both ways by NatsRpcClient.
 */
export class SeederClient implements SeederAssigner {
  constructor(private readonly rpc: NatsRpcClient) {}

  assign(seederId: string, req: AssignJobRequest, timeoutMs?: number): Promise<AssignJobResponse> {
    return this.rpc.request(Endpoints.jobAssign, req, { params: { seeder: seederId }, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
  }
}
