import { Module } from '@nestjs/common';
import { AuditTrailModule } from '../audit-trail/audit-trail.module';
import { CatalogModule } from '../catalog/catalog.module';
import { IdentityModule } from '../identity/identity.module';
import { DocumentFilesService } from './document-files.service';
import { DocumentRecords } from './document-records';
import { DocumentSignaturesService } from './document-signatures.service';
import { DocumentTypesService } from './document-types.service';
import { DocumentVersionsService } from './document-versions.service';
import { DocumentsController } from './documents.controller';
import { DocumentsRepository } from './documents.repository';
import { DocumentsService } from './documents.service';

/** Controlled documents: versions, diffs, e-signed approvals and publication (issue 17). */
@Module({
  imports: [AuditTrailModule, IdentityModule, CatalogModule],
  controllers: [DocumentsController],
  providers: [
    DocumentsService,
    DocumentVersionsService,
    DocumentSignaturesService,
    DocumentTypesService,
    DocumentRecords,
    DocumentsRepository,
    DocumentFilesService,
  ],
  exports: [DocumentsService, DocumentVersionsService, DocumentFilesService],
})
export class DocumentsModule {}
