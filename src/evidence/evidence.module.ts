import { Module } from '@nestjs/common';
import { AuditTrailModule } from '../audit-trail/audit-trail.module';
import { CatalogModule } from '../catalog/catalog.module';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { BLOB_STORE, type BlobStore } from './blob-store';
import { BlobRepository } from './blob.repository';
import { EvidenceController } from './evidence.controller';
import { EvidenceRepository } from './evidence.repository';
import { EvidenceBlobsService } from './evidence-blobs.service';
import { EvidenceItems } from './evidence-items';
import { EvidenceQueriesService } from './evidence-queries.service';
import { EvidenceUploadService } from './evidence-upload.service';
import { EvidenceWriter } from './evidence-writer';
import { EvidenceService } from './evidence.service';
import { FilesystemBlobStore } from './filesystem-blob.store';
import { UploadStaging } from './upload-staging';
import { BlobCollector } from './blob-collector';
import { JobsModule } from '../jobs/jobs.module';

/**
 * New blobs go to the store BLOB_STORE names; a blob is read from the store its row names, so blobs
 * stored before the setting changed stay readable (and are reused, not copied, by later uploads).
 */
export function chooseBlobStore(
  config: AppConfig,
  postgres: BlobRepository,
  filesystem: FilesystemBlobStore,
): BlobStore {
  const writer: BlobStore = config.blobStore === 'filesystem' ? filesystem : postgres;
  return {
    storeFile: (blob, path, m, hashedOnWrite) => writer.storeFile(blob, path, m, hashedOnWrite),
    storeBuffer: (bytes, mediaType, m) => writer.storeBuffer(bytes, mediaType, m),
    open: (blob) => (blob.store === 'filesystem' ? filesystem : postgres).open(blob),
  };
}

/**
 * The evidence locker: immutable items linked to controls, content-addressed blobs in PostgreSQL (or,
 * with BLOB_STORE=filesystem, their bytes under BLOB_DIR), uploads staged under DATA_DIR/tmp/uploads.
 * Exports EvidenceService (sweeps, collectors and drills record snapshots and attestations), EvidenceQueriesService
 * (lists, lookups), EvidenceUploadService (the sweep pages' upload form) and EvidenceBlobsService (audit packs).
 */
@Module({
  imports: [AuditTrailModule, CatalogModule, JobsModule],
  controllers: [EvidenceController],
  providers: [
    EvidenceService,
    EvidenceUploadService,
    EvidenceQueriesService,
    EvidenceBlobsService,
    EvidenceWriter,
    EvidenceItems,
    EvidenceRepository,
    BlobRepository,
    FilesystemBlobStore,
    { provide: BLOB_STORE, inject: [APP_CONFIG, BlobRepository, FilesystemBlobStore], useFactory: chooseBlobStore },
    UploadStaging,
    BlobCollector,
  ],
  exports: [EvidenceService, EvidenceUploadService, EvidenceQueriesService, EvidenceBlobsService],
})
export class EvidenceModule {}
