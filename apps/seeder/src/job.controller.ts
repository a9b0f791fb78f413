import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AssignJobRequest, Endpoints, type AssignJobResponse } from '@accelerboat/registry-protocol';
import { JobRunner } from '@accelerboat/seeding';

/** Download jobs handed out by the coordinator, addressed to this seeder's own subject. */
@Controller()
export class JobController {
  constructor(@Inject(JobRunner) private readonly runner: JobRunner) {}

  /** Accepts (the download starts or is joined) or refuses at once; the bytes follow over HTTP. */
  @MessagePattern(Endpoints.jobAssign.subject)
  assign(@Payload() req: AssignJobRequest): AssignJobResponse {
    return this.runner.assign(req);
  }
}
