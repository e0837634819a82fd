import { DynamicModule, Module } from '@nestjs/common';
import { AuditTrailModule } from '../audit-trail/audit-trail.module';
import type { AppConfig } from '../config/config';
import { ConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { HealthModule } from '../health/health.module';
import { IdentityModule } from '../identity/identity.module';
import { CatalogModule } from '../catalog/catalog.module';
import { SweepsModule } from '../sweeps/sweeps.module';
import { DsrModule } from '../dsr/dsr.module';
import { AuditPacksModule } from '../audit-packs/audit-packs.module';
import { IncidentsModule } from '../incidents/incidents.module';
import { DocumentsModule } from '../documents/documents.module';
import { ReleasesModule } from '../releases/releases.module';

/** The modules the `attest` CLI runs on: the same services as the server, without HTTP. */
@Module({})
export class CliModule {
  /**
   * `identity`: users, departments, tokens and the catalog too, on a migrated database (their start-up
   * needs the tables). The catalog is not synced at start: `attest catalog sync` does it when asked.
   */
  static forRoot(config: AppConfig, options: { identity: boolean } = { identity: false }): DynamicModule {
    return {
      module: CliModule,
      // A command never runs scheduled jobs: it does its one thing and exits.
      imports: [
        ConfigModule.forRoot({ ...config, jobsEnabled: false }),
        DatabaseModule.forRoot({ migrate: options.identity }),
        HealthModule,
        AuditTrailModule,
        ...(options.identity
          ? [
              IdentityModule,
              CatalogModule,
              SweepsModule,
              DsrModule,
              AuditPacksModule,
              IncidentsModule,
              DocumentsModule,
              ReleasesModule,
            ]
          : []),
      ],
    };
  }
}
