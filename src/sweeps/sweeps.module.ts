import { RisksModule } from '../risks/risks.module';
import { DsrModule } from '../dsr/dsr.module';
import { IncidentsModule } from '../incidents/incidents.module';
import { DocumentsModule } from '../documents/documents.module';
import { KeysModule } from '../keys/keys.module';
import { ReleasesModule } from '../releases/releases.module';
import { FindingsModule } from '../findings/findings.module';
import { Module } from '@nestjs/common';
import { AuditTrailModule } from '../audit-trail/audit-trail.module';
import { CatalogModule } from '../catalog/catalog.module';
import { EvidenceModule } from '../evidence/evidence.module';
import { IdentityModule } from '../identity/identity.module';
import { JobsModule } from '../jobs/jobs.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { CollectorsService } from './collectors.service';
import { SweepsController } from './sweeps.controller';
import { SweepsRepository } from './sweeps.repository';
import { SweepsService } from './sweeps.service';
import { SweepLifecycleService } from './sweep-lifecycle.service';
import { SweepPostureService } from './sweep-posture.service';
import { SweepRemindersService } from './sweep-reminders.service';
import { SweepTasksService } from './sweep-tasks.service';
import { SweepJobs } from './sweep.jobs';

/** Weekly evidence sweeps: opening, tasks, collectors, reminders, closing; freshness and posture. */
@Module({
  imports: [
    AuditTrailModule,
    CatalogModule,
    EvidenceModule,
    IdentityModule,
    JobsModule,
    NotificationsModule,
    RisksModule,
    DsrModule,
    IncidentsModule,
    DocumentsModule,
    KeysModule,
    ReleasesModule,
    FindingsModule,
  ],
  controllers: [SweepsController],
  // SweepJobs schedules nothing where JOBS_ENABLED is false (tests, CLI commands).
  providers: [
    SweepsService,
    SweepLifecycleService,
    SweepTasksService,
    SweepRemindersService,
    SweepPostureService,
    SweepsRepository,
    CollectorsService,
    SweepJobs,
  ],
  exports: [SweepsService, SweepLifecycleService, SweepTasksService, SweepPostureService],
})
export class SweepsModule {}
