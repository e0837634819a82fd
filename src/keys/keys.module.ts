import { Module } from '@nestjs/common';
import { AuditTrailModule } from '../audit-trail/audit-trail.module';
import { IdentityModule } from '../identity/identity.module';
import { JobsModule } from '../jobs/jobs.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { ReleasesModule } from '../releases/releases.module';
import { KeyClocksService } from './key-clocks.service';
import { KeyJobs } from './key.jobs';
import { KeysController } from './keys.controller';
import { KeysRepository } from './keys.repository';
import { KeysService } from './keys.service';

/** The keys and credentials register (issue 18): keys, rotations, clocks, reminders, the weekly snapshot. */
@Module({
  imports: [AuditTrailModule, IdentityModule, JobsModule, NotificationsModule, ReleasesModule],
  controllers: [KeysController],
  // KeyJobs schedules nothing where JOBS_ENABLED is false (tests, CLI commands).
  providers: [KeysService, KeyClocksService, KeysRepository, KeyJobs],
  exports: [KeysService, KeyClocksService],
})
export class KeysModule {}
