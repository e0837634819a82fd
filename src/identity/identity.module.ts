import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { DataSource } from 'typeorm';
import { PostgresThrottlerStorage } from './postgres-throttler.storage';
import { AuditTrailModule } from '../audit-trail/audit-trail.module';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { ActorScopes } from './actor-scopes';
import { ApiTokensController } from './api-tokens.controller';
import { ApiTokensService } from './api-tokens.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { CredentialsRepository } from './credentials.repository';
import { DepartmentsController } from './departments.controller';
import { DepartmentsRepository } from './departments.repository';
import { DepartmentsService } from './departments.service';
import { IdentityBootstrapService } from './identity-bootstrap.service';
import { IdentityJobs } from './identity.jobs';
import { JobsModule } from '../jobs/jobs.module';
import { SigningPasswordService } from './signing-password.service';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

/** Users, departments, sessions and API tokens. The CLI uses the services; the server adds the controllers. */
@Module({
  imports: [
    AuditTrailModule,
    JobsModule,
    // Counters in PostgreSQL: every instance counts the same attempts.
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG, DataSource],
      useFactory: (config: AppConfig, ds: DataSource) => ({
        throttlers: [{ name: 'login', ttl: 60_000, limit: config.loginRateLimit }],
        storage: new PostgresThrottlerStorage(ds),
      }),
    }),
  ],
  controllers: [AuthController, UsersController, ApiTokensController, DepartmentsController],
  providers: [
    ActorScopes,
    AuthService,
    UsersService,
    ApiTokensService,
    DepartmentsService,
    UsersRepository,
    CredentialsRepository,
    DepartmentsRepository,
    IdentityBootstrapService,
    IdentityJobs,
    PostgresThrottlerStorage,
    SigningPasswordService,
  ],
  exports: [
    PostgresThrottlerStorage,
    SigningPasswordService,
    ActorScopes,
    AuthService,
    UsersService,
    ApiTokensService,
    DepartmentsService,
    IdentityBootstrapService,
  ],
})
export class IdentityModule {}
