import { Module } from '@nestjs/common';
import { AuditTrailModule } from '../audit-trail/audit-trail.module';
import { CatalogModule } from '../catalog/catalog.module';
import { EvidenceModule } from '../evidence/evidence.module';
import { IdentityModule } from '../identity/identity.module';
import { JobsModule } from '../jobs/jobs.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { RiskLevelsBootstrapService } from './risk-levels-bootstrap.service';
import { RiskReviewJob } from './risk-review.job';
import { RiskPlansController } from './risk-plans.controller';
import { RiskPlansRepository } from './risk-plans.repository';
import { RiskPlansService } from './risk-plans.service';
import { RisksController } from './risks.controller';
import { RisksRepository } from './risks.repository';
import { RiskControlResolver } from './risk-control-resolver';
import { RiskCsvService } from './risk-csv.service';
import { RiskLevelsService } from './risk-levels.service';
import { RiskRecords } from './risk-records';
import { RiskReportsService } from './risk-reports.service';
import { RiskReviewsService } from './risk-reviews.service';
import { RisksService } from './risks.service';

/** The ISO 14971 and information-security risk registers, with levels from controls/risk-matrix.yaml. */
@Module({
  imports: [AuditTrailModule, IdentityModule, CatalogModule, EvidenceModule, NotificationsModule, JobsModule],
  // RiskPlansController first: its static /api/risks/plans paths sit beside RisksController's /api/risks/:id.
  controllers: [RiskPlansController, RisksController],
  providers: [
    RisksService,
    RiskReportsService,
    RiskReviewsService,
    RiskCsvService,
    RiskLevelsService,
    RiskRecords,
    RiskControlResolver,
    RisksRepository,
    RiskPlansService,
    RiskPlansRepository,
    RiskReviewJob,
    RiskLevelsBootstrapService,
  ],
  exports: [RisksService, RiskReportsService, RiskReviewsService, RiskPlansService],
})
export class RisksModule {}
