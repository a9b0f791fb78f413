import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { SeederRegistry } from '@accelerboat/coordination';
import {
  Endpoints,
  CompleteJobRequest,
  FailJobRequest,
  ReportJobProgressRequest,
  SeederHeartbeatRequest,
  type AckResponse,
} from '@accelerboat/registry-protocol';

/** What seeders report: liveness and load, and the progress of the jobs they run. */
@Controller()
export class SeederController {
  constructor(@Inject(SeederRegistry) private readonly seeders: SeederRegistry) {}

  @MessagePattern(Endpoints.seederHeartbeat.subject)
  async heartbeat(@Payload() beat: SeederHeartbeatRequest): Promise<AckResponse> {
    await this.seeders.heartbeat(beat);
    return { ok: true };
  }

  // Job records and reassignment arrive with the mirror path; reports are accepted meanwhile so
  // seeders never see errors for doing their part.
  @MessagePattern(Endpoints.jobProgress.subject)
  progress(@Payload() _req: ReportJobProgressRequest): AckResponse {
    return { ok: true };
  }

  @MessagePattern(Endpoints.jobComplete.subject)
  complete(@Payload() _req: CompleteJobRequest): AckResponse {
    return { ok: true };
  }

  @MessagePattern(Endpoints.jobFail.subject)
  fail(@Payload() _req: FailJobRequest): AckResponse {
    return { ok: true };
  }
}
