import { Module } from '@nestjs/common';
import { SchedulerService } from './scheduler.service';

/** Scheduled jobs: modules register theirs with SchedulerService at bootstrap. */
@Module({
  providers: [SchedulerService],
  exports: [SchedulerService],
})
export class JobsModule {}
