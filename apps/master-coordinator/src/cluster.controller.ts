import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ClusterViews, ImageLayers, ImagePreloader } from '@accelerboat/coordination';
import {
  Endpoints,
  ImageLayersRequest,
  ListJobsRequest,
  PreloadImageRequest,
  type ImageLayersResponse,
  type ListJobsResponse,
  type ListNodesResponse,
  type PreloadImageResponse,
} from '@accelerboat/registry-protocol';

/**
 * The operator's view of the cluster (what `accelerboat jobs|nodes|layers|preload` ask). Read-only
 * except preload, which starts the same seeder jobs a cold pull would.
 */
@Controller()
export class ClusterController {
  constructor(
    @Inject(ClusterViews) private readonly views: ClusterViews,
    @Inject(ImageLayers) private readonly images: ImageLayers,
    @Inject(ImagePreloader) private readonly preloader: ImagePreloader,
  ) {}

  @MessagePattern(Endpoints.jobList.subject)
  jobs(@Payload() req: ListJobsRequest): Promise<ListJobsResponse> {
    return this.views.listJobs(req);
  }

  @MessagePattern(Endpoints.nodeList.subject)
  nodes(): Promise<ListNodesResponse> {
    return this.views.listNodes();
  }

  @MessagePattern(Endpoints.imageLayers.subject)
  layers(@Payload() req: ImageLayersRequest): Promise<ImageLayersResponse> {
    return this.images.layers(req);
  }

  @MessagePattern(Endpoints.imagePreload.subject)
  preload(@Payload() req: PreloadImageRequest): Promise<PreloadImageResponse> {
    return this.preloader.preload(req);
  }
}
