import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { JobScheduler, SeederRegistry } from '@accelerboat/coordination';
import {
  Endpoints,
  CompleteJobRequest,
  FailJobRequest,
  ReportJobProgressRequest,
  SeederHeartbeatRequest,
  type AckResponse,
} from '@accelerboat/registry-protocol';

/**
 * What seeders report: liveness and load, and the progress of the jobs they run. Reports about
 * jobs that were taken away or already ended are acknowledged too: the seeder did its part, and
 * the scheduler simply ignores them.
 */
@Controller()
export class SeederController {
  constructor(
    @Inject(SeederRegistry) private readonly seeders: SeederRegistry,
    @Inject(JobScheduler) private readonly jobs: JobScheduler,
  ) {}

  @MessagePattern(Endpoints.seederHeartbeat.subject)
  async heartbeat(@Payload() beat: SeederHeartbeatRequest): Promise<AckResponse> {
    await this.seeders.heartbeat(beat);
    return { ok: true };
  }

  @MessagePattern(Endpoints.jobProgress.subject)
  async progress(@Payload() req: ReportJobProgressRequest): Promise<AckResponse> {
    await this.jobs.progress(req);
    return { ok: true };
  }

  @MessagePattern(Endpoints.jobComplete.subject)
  async complete(@Payload() req: CompleteJobRequest): Promise<AckResponse> {
    await this.jobs.complete(req);
    return { ok: true };
  }

  @MessagePattern(Endpoints.jobFail.subject)
  async fail(@Payload() req: FailJobRequest): Promise<AckResponse> {
    await this.jobs.fail(req);
    return { ok: true };
  }
}
