import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { BlobLocator } from '@accelerboat/coordination';
import { Endpoints, LocateBlobRequest, type LocateBlobResponse } from '@accelerboat/registry-protocol';

@Controller()
export class LocateController {
  constructor(@Inject(BlobLocator) private readonly locator: BlobLocator) {}

  @MessagePattern(Endpoints.blobLocate.subject)
  locate(@Payload() req: LocateBlobRequest): Promise<LocateBlobResponse> {
    return this.locator.locate(req);
  }
}
