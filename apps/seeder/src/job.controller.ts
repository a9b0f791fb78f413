import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AssignJobRequest, Endpoints, ProtocolError } from '@accelerboat/registry-protocol';

/** Download jobs handed out by the coordinator, addressed to this seeder's own subject. */
@Controller()
export class JobController {
  @MessagePattern(Endpoints.jobAssign.subject)
  assign(@Payload() _req: AssignJobRequest): never {
    // Upstream downloads arrive with the mirror path; refusing keeps the coordinator's fallback honest.
    throw new ProtocolError('NOT_IMPLEMENTED', 'this seeder does not run download jobs yet');
  }
}
