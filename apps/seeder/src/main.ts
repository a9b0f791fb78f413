import 'reflect-metadata';
import { runService } from '@accelerboat/service-kit';
import { seederDefinition } from './seeder.definition.js';

await runService(seederDefinition);
