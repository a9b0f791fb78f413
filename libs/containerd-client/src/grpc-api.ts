import {
  Channel,
  credentials,
  loadPackageDefinition,
  type CallOptions,
  type Client,
  type ClientDuplexStream,
  type ClientReadableStream,
  type ClientUnaryCall,
  type Metadata,
  type ServiceClientConstructor,
  type requestCallback,
} from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import { containerdApi } from './generated/containerd-api.js';

/*
 * containerd's gRPC API as this lib uses it. The descriptor is generated from the vendored protos
 * (proto/containerd, see scripts/codegen.mjs) and loaded at run time by proto-loader, so there is
 * no generated code beyond one JSON document. The interfaces below type the few messages read;
 * field names are the protos' own (keepCase), int64 values arrive as decimal strings.
 */

const LOADER_OPTIONS = { keepCase: true, longs: String, enums: String, defaults: true } as const;

/** `google.protobuf.Timestamp` with int64 seconds as a string. */
export interface WireTimestamp {
  seconds: string;
  nanos: number;
}

/** `containerd.services.content.v1.Info`. */
export interface WireInfo {
  digest: string;
  size: string;
  labels: Record<string, string>;
}

/** `containerd.services.events.v1.Envelope`. */
export interface WireEnvelope {
  timestamp?: WireTimestamp | null;
  namespace: string;
  topic: string;
  event?: { type_url: string; value: Buffer } | null;
}

/** The content service methods used here. */
export interface ContentClient extends Client {
  List(req: { filters: string[] }, md: Metadata, opts?: CallOptions): ClientReadableStream<{ info: WireInfo[] }>;
  Info(req: { digest: string }, md: Metadata, opts: CallOptions, cb: requestCallback<{ info?: WireInfo | null }>): ClientUnaryCall;
  Read(req: { digest: string; offset: number; size: number }, md: Metadata, opts?: CallOptions): ClientReadableStream<{ offset: string; data: Buffer }>;
  /** Only the test fixture writes: it commits blobs with labels in one step, which ctr cannot. */
  Write(md: Metadata, opts?: CallOptions): ClientDuplexStream<WireWriteRequest, { action: string; offset: string; digest: string }>;
}

/** `containerd.services.content.v1.WriteContentRequest`; action 1 = WRITE, 2 = COMMIT. */
export interface WireWriteRequest {
  action: number;
  ref: string;
  total: number;
  expected: string;
  offset: number;
  data: Buffer;
  labels: Record<string, string>;
}

/** The events service method used here. */
export interface EventsClient extends Client {
  Subscribe(req: { filters: string[] }, md: Metadata, opts?: CallOptions): ClientReadableStream<WireEnvelope>;
}

interface ContainerdPackage {
  containerd: { services: { content: { v1: { Content: ServiceClientConstructor } }; events: { v1: { Events: ServiceClientConstructor } } } };
}

let loaded: { pkg: ContainerdPackage; types: protobuf.Root } | undefined;

// Loaded on first use: building the descriptors takes a few milliseconds that an app which never
// talks to containerd need not pay.
function api(): { pkg: ContainerdPackage; types: protobuf.Root } {
  loaded ??= {
    pkg: loadPackageDefinition(fromJSON(containerdApi, LOADER_OPTIONS)) as unknown as ContainerdPackage,
    types: protobuf.Root.fromJSON(containerdApi),
  };
  return loaded;
}

/** One channel to a containerd socket and the two service clients on it. */
export interface ContainerdClients {
  content: ContentClient;
  events: EventsClient;
  close(): void;
}

/**
 * Opens (lazily: nothing connects before the first call) a channel to containerd's unix socket.
 * The channel reconnects by itself with backoff after containerd restarts.
 */
export function openContainerdClients(socketPath: string): ContainerdClients {
  const { pkg } = api();
  const target = `unix://${socketPath}`;
  const options = {
    // Listing a large store sends big batches; reads come in containerd's 1 MiB chunks.
    'grpc.max_receive_message_length': 64 << 20,
    'grpc.initial_reconnect_backoff_ms': 100,
    'grpc.max_reconnect_backoff_ms': 5000,
  };
  const channel = new Channel(target, credentials.createInsecure(), options);
  const make = (ctor: ServiceClientConstructor): Client => new ctor(target, credentials.createInsecure(), { ...options, channelOverride: channel });
  const content = make(pkg.containerd.services.content.v1.Content) as ContentClient;
  const events = make(pkg.containerd.services.events.v1.Events) as EventsClient;
  return {
    content,
    events,
    close: () => {
      content.close();
      events.close();
      channel.close();
    },
  };
}

/**
 * Decodes an event payload (`google.protobuf.Any`) to a plain object, or undefined for a type
 * the vendored protos do not define.
 */
export function decodeEventPayload(typeUrl: string, value: Buffer): Record<string, unknown> | undefined {
  // containerd writes bare type names; a `type.googleapis.com/` style prefix is tolerated.
  const name = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
  let type: protobuf.Type;
  try {
    type = api().types.lookupType(name);
  } catch {
    return undefined;
  }
  return type.toObject(type.decode(value), { longs: String, defaults: true }) as Record<string, unknown>;
}
