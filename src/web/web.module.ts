import { Module, UseInterceptors } from '@nestjs/common';
import { DashboardsService } from './dashboards.service';
import { HealthModule } from '../health/health.module';
import { IdentityModule } from '../identity/identity.module';
import { AdminUsersPageController } from './admin-users-page.controller';
import { CatalogPagesController } from './catalog-pages.controller';
import { SweepPagesController } from './sweep-pages.controller';
import { RiskPagesController } from './risk-pages.controller';
import { DsrPagesController } from './dsr-pages.controller';
import { DsrCsvController } from './dsr-csv.controller';
import { AuditPagesController } from './audit-pages.controller';
import { AuditPackPagesController } from './audit-pack-pages.controller';
import { AuditPacksModule } from '../audit-packs/audit-packs.module';
import { EngagementsModule } from '../engagements/engagements.module';
import { DsrModule } from '../dsr/dsr.module';
import { RisksModule } from '../risks/risks.module';
import { SweepsModule } from '../sweeps/sweeps.module';
import { EvidenceModule } from '../evidence/evidence.module';
import { CatalogModule } from '../catalog/catalog.module';
import { DashboardDownloadsController, HomeController } from './home.controller';
import { LoginPageController } from './login-page.controller';
import { LoginPageService } from './login-page.service';
import { ViewContextInterceptor } from './view-context.interceptor';
import { FormIdempotency } from './form-idempotency';
import { NotificationsModule } from '../notifications/notifications.module';
import { AuditTrailModule } from '../audit-trail/audit-trail.module';
import { AuditTrailPageController } from './audit-trail-page.controller';
import { NotificationsPageController } from './notifications-page.controller';
import { IncidentsModule } from '../incidents/incidents.module';
import { IncidentPagesController } from './incident-pages.controller';
import { DocumentsModule } from '../documents/documents.module';
import { DocumentPagesController } from './document-pages.controller';
import { ReleasesModule } from '../releases/releases.module';
import { KeysModule } from '../keys/keys.module';
import { KeyPagesController } from './key-pages.controller';
import { ReleasePagesController } from './release-pages.controller';
import { SearchPagesController } from './search-pages.controller';
import { FindingsModule } from '../findings/findings.module';
import { FindingPagesController } from './finding-pages.controller';

/** The controllers of the server-rendered pages (templates in templates/web/). */
export const PAGE_CONTROLLERS = [
  HomeController,
  DashboardDownloadsController,
  LoginPageController,
  AdminUsersPageController,
  CatalogPagesController,
  SweepPagesController,
  RiskPagesController,
  DsrCsvController,
  DsrPagesController,
  AuditPagesController,
  AuditPackPagesController,
  AuditTrailPageController,
  NotificationsPageController,
  IncidentPagesController,
  DocumentPagesController,
  ReleasePagesController,
  SearchPagesController,
  FindingPagesController,
  KeyPagesController,
];

// Every page controller's rendered pages get the signed-in user's header, menu and unread count. Not a
// global interceptor: the JSON API's routes would each pay for the interceptor chain (RxJS, async
// resources) to do nothing (view-context.interceptor.spec.ts checks every @Render handler is covered).
for (const controller of PAGE_CONTROLLERS) UseInterceptors(ViewContextInterceptor)(controller);

/** Server-rendered pages. */
@Module({
  imports: [
    HealthModule,
    IdentityModule,
    CatalogModule,
    NotificationsModule,
    SweepsModule,
    EvidenceModule,
    RisksModule,
    DsrModule,
    EngagementsModule,
    AuditPacksModule,
    AuditTrailModule,
    IncidentsModule,
    DocumentsModule,
    ReleasesModule,
    FindingsModule,
    KeysModule,
  ],
  controllers: PAGE_CONTROLLERS,
  providers: [LoginPageService, DashboardsService, FormIdempotency, ViewContextInterceptor],
})
export class WebModule {}
