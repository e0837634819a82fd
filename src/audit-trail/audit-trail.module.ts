import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { AuditLogRepository } from './audit-log.repository';
import { AuditTrailController } from './audit-trail.controller';
import { AuditTrailService } from './audit-trail.service';
import { CheckpointJob } from './checkpoint.job';
import { CheckpointService } from './checkpoint.service';
import { CheckpointStore } from './checkpoint.store';
import { SigningKeyStore } from './signing-key.store';

/** The append-only, hash-chained audit trail, its signed checkpoints, verification, API and page. */
@Module({
  imports: [JobsModule],
  controllers: [AuditTrailController],
  providers: [
    AuditTrailService,
    AuditLogRepository,
    CheckpointService,
    CheckpointStore,
    SigningKeyStore,
    CheckpointJob,
  ],
  exports: [AuditTrailService, CheckpointService],
})
export class AuditTrailModule {}
