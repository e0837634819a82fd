import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { httpLoggerOptions } from './common/http/http-logger';
import { WebModule } from './web/web.module';
import { AuditTrailModule } from './audit-trail/audit-trail.module';
import { AuthenticationGuard } from './identity/authentication.guard';
import { CsrfGuard } from './identity/csrf.guard';
import { ApiContentTypeGuard, CrossOriginGuard } from './common/http/request-origin.guards';
import { IdentityModule } from './identity/identity.module';
import { CatalogModule } from './catalog/catalog.module';
import { CatalogBootstrapService } from './catalog/catalog-bootstrap.service';
import { EvidenceModule } from './evidence/evidence.module';
import { SweepsModule } from './sweeps/sweeps.module';
import { PolicyGuard } from './authz/policy.guard';
import { NotificationsModule } from './notifications/notifications.module';
import { RisksModule } from './risks/risks.module';
import { IncidentsModule } from './incidents/incidents.module';
import { DocumentsModule } from './documents/documents.module';
import { ReleasesModule } from './releases/releases.module';
import { FindingsModule } from './findings/findings.module';
import { KeysModule } from './keys/keys.module';
import { KeysBootstrapService } from './keys/keys-bootstrap.service';
import { FindingsBootstrapService } from './findings/findings-bootstrap.service';
import { DocumentsBootstrapService } from './documents/documents-bootstrap.service';
import { DsrModule } from './dsr/dsr.module';
import { AuditPacksModule } from './audit-packs/audit-packs.module';
import { EngagementsModule } from './engagements/engagements.module';

@Module({})
export class AppModule {
  /** The whole HTTP application. `extra` lets tests mount fixture controllers next to the real ones. */
  static forRoot(config: AppConfig, extra: Type<unknown>[] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(httpLoggerOptions(config)),
        DatabaseModule.forRoot({ migrate: true }),
        HealthModule,
        IdentityModule,
        CatalogModule,
        EvidenceModule,
        SweepsModule,
        AuditTrailModule,
        NotificationsModule,
        RisksModule,
        IncidentsModule,
        DocumentsModule,
        ReleasesModule,
        FindingsModule,
        KeysModule,
        DsrModule,
        AuditPacksModule,
        EngagementsModule,
        WebModule,
        ...extra,
      ],
      // In this order: requests forged from another origin (403) and non-JSON API bodies (415); then deny
      // by default: who is calling (401), the page form's anti-forgery token (403), then may they (403).
      providers: [
        { provide: APP_GUARD, useClass: CrossOriginGuard },
        { provide: APP_GUARD, useClass: ApiContentTypeGuard },
        { provide: APP_GUARD, useClass: AuthenticationGuard },
        { provide: APP_GUARD, useClass: CsrfGuard },
        { provide: APP_GUARD, useClass: PolicyGuard },
        CatalogBootstrapService,
        DocumentsBootstrapService,
        KeysBootstrapService,
        FindingsBootstrapService,
      ],
    };
  }
}
