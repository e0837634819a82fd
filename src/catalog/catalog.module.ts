import { DynamicModule, Module } from '@nestjs/common';
import { AuditTrailModule } from '../audit-trail/audit-trail.module';
import { IdentityModule } from '../identity/identity.module';
import { CatalogBootstrapService } from './catalog-bootstrap.service';
import { CatalogSyncService } from './catalog-sync.service';
import { CatalogController } from './catalog.controller';
import { CatalogRepository } from './catalog.repository';
import { CatalogService } from './catalog.service';

/** Frameworks, requirements, controls and their mapping, from controls/ (catalog as code). */
@Module({})
export class CatalogModule {
  /** `syncAtStart`: the server syncs controls/ when it starts; CLI commands sync only when asked. */
  static forRoot(options: { syncAtStart: boolean }): DynamicModule {
    return {
      module: CatalogModule,
      imports: [AuditTrailModule, IdentityModule],
      controllers: [CatalogController],
      providers: [CatalogService, CatalogSyncService, CatalogRepository, ...(options.syncAtStart ? [CatalogBootstrapService] : [])],
      exports: [CatalogService],
    };
  }
}
