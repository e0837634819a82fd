import { Module } from '@nestjs/common';
import { AuditTrailModule } from '../audit-trail/audit-trail.module';
import { CatalogModule } from '../catalog/catalog.module';
import { EvidenceModule } from '../evidence/evidence.module';
import { IdentityModule } from '../identity/identity.module';
import { JobsModule } from '../jobs/jobs.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { ReleasesModule } from '../releases/releases.module';
import { FindingAcceptancesService } from './finding-acceptances.service';
import { FindingEscalationsService } from './finding-escalations.service';
import { FindingImportsService } from './finding-imports.service';
import { FindingsController } from './findings.controller';
import { FindingsJobs } from './findings.jobs';
import { FindingsRepository } from './findings.repository';
import { FindingsService } from './findings.service';

/** The findings register (issue 18): pen tests, scanner imports, fix SLAs, retests, signed risk acceptances. */
@Module({
  imports: [
    AuditTrailModule,
    CatalogModule,
    EvidenceModule,
    IdentityModule,
    JobsModule,
    NotificationsModule,
    ReleasesModule,
  ],
  controllers: [FindingsController],
  providers: [
    FindingsService,
    FindingImportsService,
    FindingAcceptancesService,
    FindingEscalationsService,
    FindingsJobs,
    FindingsRepository,
  ],
  // The repository is exported for FindingsBootstrapService only: AppModule (the server) provides it, so CLI
  // commands that load this module (sweeps, audit packs) seed no demo findings (as the keys register does).
  exports: [FindingsService, FindingAcceptancesService, FindingEscalationsService, FindingsRepository],
})
export class FindingsModule {}
