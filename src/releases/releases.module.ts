import { Module } from '@nestjs/common';
import { AuditTrailModule } from '../audit-trail/audit-trail.module';
import { CatalogModule } from '../catalog/catalog.module';
import { EvidenceModule } from '../evidence/evidence.module';
import { IdentityModule } from '../identity/identity.module';
import { RisksModule } from '../risks/risks.module';
import { ReleaseGateSignaturesService } from './release-gate-signatures.service';
import { ReleaseGatesService } from './release-gates.service';
import { ReleaseRegisterService } from './release-register.service';
import { ReleasesController } from './releases.controller';
import { ReleasesRepository } from './releases.repository';
import { ReleasesService } from './releases.service';

/** Releases from CI with their attachments, gates (controls/release-gates.yaml), signatures and decision. */
@Module({
  imports: [AuditTrailModule, CatalogModule, EvidenceModule, IdentityModule, RisksModule],
  controllers: [ReleasesController],
  providers: [
    ReleasesService,
    ReleaseGateSignaturesService,
    ReleaseGatesService,
    ReleaseRegisterService,
    ReleasesRepository,
  ],
  exports: [
    ReleasesService,
    ReleaseGateSignaturesService,
    ReleaseGatesService,
    ReleaseRegisterService,
    ReleasesRepository,
  ],
})
export class ReleasesModule {}
