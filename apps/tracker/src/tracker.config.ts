import { NatsConfig } from '@accelerboat/nats-transport';
import { serviceConfigWithPort } from '@accelerboat/service-kit';

export const trackerConfig = {
  service: serviceConfigWithPort(5084),
  nats: NatsConfig,
};
