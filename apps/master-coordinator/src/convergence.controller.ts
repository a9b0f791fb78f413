import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CheckAccessRequest, Endpoints, GetManifestRequest, GetTokenRequest, HeadManifestRequest, ProtocolError } from '@accelerboat/registry-protocol';

/**
 * Token and manifest convergence. The endpoints are registered (so operators and callers see the
 * full catalogue) and validate their input; the upstream logic arrives with the mirror path, and
 * until then callers get NOT_IMPLEMENTED and go to the upstream themselves.
 */
@Controller()
export class ConvergenceController {
  @MessagePattern(Endpoints.tokenGet.subject)
  token(@Payload() _req: GetTokenRequest): never {
    throw notYet('token convergence');
  }

  @MessagePattern(Endpoints.accessCheck.subject)
  access(@Payload() _req: CheckAccessRequest): never {
    throw notYet('access convergence');
  }

  @MessagePattern(Endpoints.manifestHead.subject)
  head(@Payload() _req: HeadManifestRequest): never {
    throw notYet('manifest convergence');
  }

  @MessagePattern(Endpoints.manifestGet.subject)
  get(@Payload() _req: GetManifestRequest): never {
    throw notYet('manifest convergence');
  }
}

function notYet(what: string): ProtocolError {
  return new ProtocolError('NOT_IMPLEMENTED', `${what} is not available in this version; fetch from the upstream`);
}
