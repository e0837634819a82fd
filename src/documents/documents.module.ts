import { Module } from '@nestjs/common';
import { AuditTrailModule } from '../audit-trail/audit-trail.module';
import { CatalogModule } from '../catalog/catalog.module';
import { IdentityModule } from '../identity/identity.module';
import { JobsModule } from '../jobs/jobs.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { AcknowledgementsController } from './acknowledgements.controller';
import { DocumentAcknowledgementsJob } from './document-acknowledgements.job';
import { DocumentAcknowledgementsRepository } from './document-acknowledgements.repository';
import { DocumentAcknowledgementsService } from './document-acknowledgements.service';
import { DocumentEvidenceService } from './document-evidence.service';
import { DocumentReviewsService } from './document-reviews.service';
import { DocumentFilesService } from './document-files.service';
import { DocumentRecords } from './document-records';
import { DocumentSignaturesService } from './document-signatures.service';
import { DocumentTypesService } from './document-types.service';
import { DocumentVersionsService } from './document-versions.service';
import { DocumentsController } from './documents.controller';
import { DocumentsRepository } from './documents.repository';
import { DocumentsService } from './documents.service';

/** Controlled documents: versions, diffs, e-signed approvals, publication and acknowledgement (issue 17). */
@Module({
  imports: [AuditTrailModule, IdentityModule, CatalogModule, NotificationsModule, JobsModule],
  controllers: [DocumentsController, AcknowledgementsController],
  providers: [
    DocumentsService,
    DocumentVersionsService,
    DocumentSignaturesService,
    DocumentTypesService,
    DocumentRecords,
    DocumentsRepository,
    DocumentFilesService,
    DocumentAcknowledgementsService,
    DocumentAcknowledgementsRepository,
    DocumentAcknowledgementsJob,
    DocumentEvidenceService,
    DocumentReviewsService,
  ],
  exports: [
    DocumentsService,
    DocumentVersionsService,
    DocumentSignaturesService,
    DocumentFilesService,
    DocumentAcknowledgementsService,
    DocumentEvidenceService,
    DocumentReviewsService,
  ],
})
export class DocumentsModule {}
