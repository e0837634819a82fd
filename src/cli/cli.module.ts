import { DynamicModule, Module } from '@nestjs/common';
import { AuditTrailModule } from '../audit-trail/audit-trail.module';
import type { AppConfig } from '../config/config';
import { ConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { HealthModule } from '../health/health.module';
import { IdentityModule } from '../identity/identity.module';

/** The modules the `attest` CLI runs on: the same services as the server, without HTTP. */
@Module({})
export class CliModule {
  /** `identity`: users, departments and tokens too, on a migrated database (their start-up needs the tables). */
  static forRoot(config: AppConfig, options: { identity: boolean } = { identity: false }): DynamicModule {
    return {
      module: CliModule,
      // A command never runs scheduled jobs: it does its one thing and exits.
      imports: [
        ConfigModule.forRoot({ ...config, jobsEnabled: false }),
        DatabaseModule.forRoot({ migrate: options.identity }),
        HealthModule,
        AuditTrailModule,
        ...(options.identity ? [IdentityModule] : []),
      ],
    };
  }
}
