import { Module } from '@nestjs/common';
import { AuditTrailModule } from '../audit-trail/audit-trail.module';
import { CatalogModule } from '../catalog/catalog.module';
import { EvidenceModule } from '../evidence/evidence.module';
import { IdentityModule } from '../identity/identity.module';
import { RisksController } from './risks.controller';
import { RisksRepository } from './risks.repository';
import { RisksService } from './risks.service';

/** The ISO 14971 and information-security risk registers, with levels from controls/risk-matrix.yaml. */
@Module({
  imports: [AuditTrailModule, IdentityModule, CatalogModule, EvidenceModule],
  controllers: [RisksController],
  providers: [RisksService, RisksRepository],
  exports: [RisksService],
})
export class RisksModule {}
