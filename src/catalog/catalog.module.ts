import { Module } from '@nestjs/common';
import { AuditTrailModule } from '../audit-trail/audit-trail.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { IdentityModule } from '../identity/identity.module';
import { CatalogSyncService } from './catalog-sync.service';
import { CatalogController } from './catalog.controller';
import { CatalogRepository } from './catalog.repository';
import { CatalogSyncRepository } from './catalog-sync.repository';
import { CatalogExportService } from './catalog-export.service';
import { CatalogService } from './catalog.service';

/**
 * Frameworks, requirements, controls and their mapping, from controls/ (catalog as code). The server
 * syncs at start (CatalogBootstrapService, provided by AppModule); CLI commands sync only when asked.
 */
@Module({
  imports: [AuditTrailModule, IdentityModule, NotificationsModule],
  controllers: [CatalogController],
  providers: [CatalogService, CatalogExportService, CatalogSyncService, CatalogRepository, CatalogSyncRepository],
  exports: [CatalogService, CatalogExportService],
})
export class CatalogModule {}
