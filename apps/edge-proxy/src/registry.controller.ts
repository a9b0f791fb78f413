import { All, Controller, Get, Header, Res } from '@nestjs/common';
import type { Response } from 'express';

/**
 * The Registry V2 surface containerd, skopeo and podman talk to. Only the version check is served
 * yet; manifests and blobs come with the mirror path. Until then every other /v2 route answers
 * in the distribution spec's own error format, so clients fall back to the upstream cleanly.
 */
@Controller('v2')
export class RegistryController {
  @Get()
  @Header('Docker-Distribution-Api-Version', 'registry/2.0')
  @Header('Content-Type', 'application/json')
  version(): Record<string, never> {
    return {};
  }

  @All('*path')
  unsupported(@Res() res: Response): void {
    res
      .status(404)
      .setHeader('Docker-Distribution-Api-Version', 'registry/2.0')
      .json({ errors: [{ code: 'UNSUPPORTED', message: 'the operation is unsupported by this mirror yet', detail: null }] });
  }
}
