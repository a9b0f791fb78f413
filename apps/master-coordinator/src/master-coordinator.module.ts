import { Module } from '@nestjs/common';
import { coordinationProviders } from './coordination.providers.js';
import { ConvergenceController } from './convergence.controller.js';
import { convergenceProviders } from './convergence.providers.js';
import { JobSweeper } from './job-sweeper.service.js';
import { LocateController } from './locate.controller.js';
import { SeederController } from './seeder.controller.js';

@Module({
  controllers: [LocateController, SeederController, ConvergenceController],
  providers: [...coordinationProviders, ...convergenceProviders, JobSweeper],
})
export class CoordinatorModule {}
