import { Module } from '@nestjs/common';
import { AuditTrailModule } from '../audit-trail/audit-trail.module';
import { EvidenceModule } from '../evidence/evidence.module';
import { IdentityModule } from '../identity/identity.module';
import { JobsModule } from '../jobs/jobs.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { RisksModule } from '../risks/risks.module';
import { IncidentAlertsJob } from './incident-alerts.job';
import { IncidentAlertsService } from './incident-alerts.service';
import { IncidentCapasService } from './incident-capas.service';
import { IncidentChangesService } from './incident-changes.service';
import { IncidentIntakeGuard } from './incident-intake.guard';
import { IncidentLedger } from './incident-ledger';
import { IncidentNoticesService } from './incident-notices.service';
import { IncidentPolicyService } from './incident-policy.service';
import { IncidentRegisterService } from './incident-register.service';
import { IncidentsController } from './incidents.controller';
import { IncidentsRepository } from './incidents.repository';
import { IncidentsService } from './incidents.service';

/** The incident register: SEV clocks, PDPA breach notices, Thai FDA adverse-event reports, CAPAs, reviews. */
@Module({
  imports: [AuditTrailModule, EvidenceModule, IdentityModule, NotificationsModule, JobsModule, RisksModule],
  controllers: [IncidentsController],
  providers: [
    IncidentsService,
    IncidentChangesService,
    IncidentNoticesService,
    IncidentCapasService,
    IncidentLedger,
    IncidentPolicyService,
    IncidentsRepository,
    IncidentIntakeGuard,
    IncidentAlertsService,
    IncidentAlertsJob,
    IncidentRegisterService,
  ],
  exports: [
    IncidentsService,
    IncidentChangesService,
    IncidentNoticesService,
    IncidentCapasService,
    IncidentPolicyService,
    IncidentsRepository,
    IncidentRegisterService,
  ],
})
export class IncidentsModule {}
