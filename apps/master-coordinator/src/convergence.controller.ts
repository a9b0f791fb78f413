import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AccessService, ManifestService, TokenService } from '@accelerboat/coordination';
import {
  CheckAccessRequest,
  Endpoints,
  GetManifestRequest,
  GetTokenRequest,
  HeadManifestRequest,
  type CheckAccessResponse,
  type GetManifestResponse,
  type GetTokenResponse,
  type HeadManifestResponse,
} from '@accelerboat/registry-protocol';

/**
 * Token, access and manifest convergence for the edge-proxies: identical requests across the
 * cluster reach the upstream once (see the services in libs/coordination). Upstream failures keep
 * their error codes on the wire, so the edge answers its client as the registry would have.
 */
@Controller()
export class ConvergenceController {
  constructor(
    @Inject(TokenService) private readonly tokens: TokenService,
    @Inject(AccessService) private readonly access: AccessService,
    @Inject(ManifestService) private readonly manifests: ManifestService,
  ) {}

  @MessagePattern(Endpoints.tokenGet.subject)
  token(@Payload() req: GetTokenRequest): Promise<GetTokenResponse> {
    return this.tokens.get(req);
  }

  @MessagePattern(Endpoints.accessCheck.subject)
  checkAccess(@Payload() req: CheckAccessRequest): Promise<CheckAccessResponse> {
    return this.access.check(req);
  }

  @MessagePattern(Endpoints.manifestHead.subject)
  head(@Payload() req: HeadManifestRequest): Promise<HeadManifestResponse> {
    return this.manifests.head(req);
  }

  @MessagePattern(Endpoints.manifestGet.subject)
  get(@Payload() req: GetManifestRequest): Promise<GetManifestResponse> {
    return this.manifests.get(req);
  }
}
