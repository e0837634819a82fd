import { Module } from '@nestjs/common';
import { AuditTrailModule } from '../audit-trail/audit-trail.module';
import { CatalogModule } from '../catalog/catalog.module';
import { EvidenceModule } from '../evidence/evidence.module';
import { IdentityModule } from '../identity/identity.module';
import { JobsModule } from '../jobs/jobs.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { DataSystemsService } from './data-systems.service';
import { DemoPlatformBootstrap } from './demo-platform-bootstrap.service';
import { DrillRecorder } from './drill-recorder.service';
import { DrillsService } from './drills.service';
import { DsrController } from './dsr.controller';
import { DsrJobs } from './dsr.jobs';
import { dsrKeyRingProvider } from './dsr-keys';
import { DsrRepository } from './dsr.repository';
import { DsrAccess } from './dsr-access';
import { DsrClockService } from './dsr-clocks.service';
import { DsrErasureReceipts } from './dsr-erasure-receipts';
import { DsrErasureService } from './dsr-erasure.service';
import { DsrExportService } from './dsr-export.service';
import { DsrHoldsService } from './dsr-holds.service';
import { DsrRequestsService } from './dsr-requests.service';
import { DsrTasksService } from './dsr-tasks.service';
import { DsrUpdatesService } from './dsr-updates.service';
import { DsrKeyRotationService } from './dsr-key-rotation.service';

/** PDPA data subject requests: register and clocks, data map and connectors, export/erasure, drills. */
@Module({
  imports: [AuditTrailModule, CatalogModule, EvidenceModule, IdentityModule, JobsModule, NotificationsModule],
  controllers: [DsrController],
  providers: [
    dsrKeyRingProvider,
    DsrRepository,
    DataSystemsService,
    DsrAccess,
    DsrRequestsService,
    DsrUpdatesService,
    DsrExportService,
    DsrHoldsService,
    DsrErasureReceipts,
    DsrErasureService,
    DsrTasksService,
    DsrClockService,
    DrillsService,
    DrillRecorder,
    DsrJobs,
    DemoPlatformBootstrap,
    DsrKeyRotationService,
  ],
  exports: [
    DsrRequestsService,
    DsrUpdatesService,
    DsrExportService,
    DsrErasureService,
    DsrHoldsService,
    DsrTasksService,
    DsrClockService,
    DrillsService,
    DataSystemsService,
    DsrKeyRotationService,
  ],
})
export class DsrModule {}
