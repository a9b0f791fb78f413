import { IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { EnvKey } from '@accelerboat/config';

/** Where this node's containerd is and which of its namespaces holds the images. */
export class ContainerdConfig {
  @EnvKey('CONTAINERD_SOCK', { description: "absolute path of containerd's gRPC unix socket" })
  @IsString()
  @Matches(/^\/./, { message: 'must be an absolute path' })
  socket: string = '/run/containerd/containerd.sock';

  @EnvKey('CONTAINERD_NAMESPACE', { description: 'containerd namespace whose content is read (Kubernetes uses k8s.io)' })
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,75}$/, { message: 'must be a containerd namespace name' })
  namespace: string = 'k8s.io';

  @EnvKey('CONTAINERD_CONTENT_DIR', {
    description: "containerd's content store directory (e.g. /var/lib/containerd/io.containerd.content.v1.content); when set, blobs are read from <dir>/blobs/<alg>/<hex> directly instead of over gRPC",
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  contentDir?: string;

  @EnvKey('CONTAINERD_CALL_TIMEOUT_MS', { description: 'deadline of one containerd info call; listing gets twelve times as long' })
  @IsInt()
  @Min(100)
  @Max(600_000)
  callTimeoutMs: number = 5000;
}
