import { Module } from '@nestjs/common';
import { AuditTrailModule } from '../audit-trail/audit-trail.module';
import { CatalogModule } from '../catalog/catalog.module';
import { DocumentsModule } from '../documents/documents.module';
import { DsrModule } from '../dsr/dsr.module';
import { EvidenceModule } from '../evidence/evidence.module';
import { IdentityModule } from '../identity/identity.module';
import { IncidentsModule } from '../incidents/incidents.module';
import { FindingsModule } from '../findings/findings.module';
import { JobsModule } from '../jobs/jobs.module';
import { KeysModule } from '../keys/keys.module';
import { ReleasesModule } from '../releases/releases.module';
import { RisksModule } from '../risks/risks.module';
import { SweepsModule } from '../sweeps/sweeps.module';
import { PackCollector } from './pack-collector.service';
import { PackScratch } from './pack-scratch';
import { PacksController } from './packs.controller';
import { PacksJob } from './packs.job';
import { PacksRepository } from './packs.repository';
import { PackBuilder } from './pack-builder.service';
import { PackFiles } from './pack-files.service';
import { PacksService } from './packs.service';
import { PackSigner } from './signing/pack-signer';

/**
 * Audit packs: a framework over a period as a signed PDF and a ZIP of the evidence with a signed manifest,
 * built in the background from the other modules' services. Exports PacksService (engagements and the
 * auditor portal call it), PackBuilder (the CLI builds a pack in its own process) and PackSigner (its
 * certificate is shown in the UI).
 */
@Module({
  imports: [
    AuditTrailModule,
    CatalogModule,
    EvidenceModule,
    SweepsModule,
    DocumentsModule,
    RisksModule,
    DsrModule,
    IdentityModule,
    IncidentsModule,
    ReleasesModule,
    FindingsModule,
    KeysModule,
    JobsModule,
  ],
  controllers: [PacksController],
  providers: [PacksService, PackBuilder, PackFiles, PacksRepository, PackCollector, PackSigner, PacksJob, PackScratch],
  exports: [PacksService, PackBuilder, PackSigner],
})
export class AuditPacksModule {}
