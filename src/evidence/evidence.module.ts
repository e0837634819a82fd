import { Module } from '@nestjs/common';
import { AuditTrailModule } from '../audit-trail/audit-trail.module';
import { CatalogModule } from '../catalog/catalog.module';
import { BlobRepository } from './blob.repository';
import { EvidenceController } from './evidence.controller';
import { EvidenceRepository } from './evidence.repository';
import { EvidenceService } from './evidence.service';
import { UploadStaging } from './upload-staging';

/**
 * The evidence locker: immutable items linked to controls, content-addressed blobs in PostgreSQL, uploads
 * staged under DATA_DIR/tmp/uploads. Exports EvidenceService (sweeps record snapshots and attestations).
 */
@Module({
  imports: [AuditTrailModule, CatalogModule],
  controllers: [EvidenceController],
  providers: [EvidenceService, EvidenceRepository, BlobRepository, UploadStaging],
  exports: [EvidenceService],
})
export class EvidenceModule {}
