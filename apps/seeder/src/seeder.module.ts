import { Module } from '@nestjs/common';
import { CoordinatorClient } from '@accelerboat/coordination';
import { NatsRpcClient } from '@accelerboat/nats-transport';
import { JobController } from './job.controller.js';
import { HeartbeatService } from './heartbeat.service.js';

@Module({ controllers: [JobController], providers: [HeartbeatService, { provide: CoordinatorClient, useFactory: (rpc: NatsRpcClient) => new CoordinatorClient(rpc), inject: [NatsRpcClient] }] })
export class SeederModule {}
