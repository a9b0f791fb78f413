import { Module } from '@nestjs/common';
import { JobController } from './job.controller.js';
import { HeartbeatService } from './heartbeat.service.js';

@Module({ controllers: [JobController], providers: [HeartbeatService] })
export class SeederModule {}
