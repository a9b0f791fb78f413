import { Module } from '@nestjs/common';
import { ClusterController } from './cluster.controller.js';
import { clusterProviders } from './cluster.providers.js';
import { coordinationProviders } from './coordination.providers.js';
import { ConvergenceController } from './convergence.controller.js';
import { convergenceProviders } from './convergence.providers.js';
import { JobSweeper } from './job-sweeper.service.js';
import { LocateController } from './locate.controller.js';
import { SeederController } from './seeder.controller.js';

@Module({
  controllers: [LocateController, SeederController, ConvergenceController, ClusterController],
  providers: [...coordinationProviders, ...convergenceProviders, ...clusterProviders, JobSweeper],
})
export class CoordinatorModule {}
