import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { DATABASE_CONNECTION, DatabaseConnection, openDatabaseConnection } from '../postgres/database-connection';
import { dataSourceOptions } from './data-source-options';
import { DatabaseStatusService } from './database-status.service';
import { runMigrationsLocked } from './migrations-runner';
import { TypeOrmLogger } from './typeorm-logger';

@Global()
@Module({
  providers: [
    { provide: DATABASE_CONNECTION, inject: [APP_CONFIG], useFactory: (c: AppConfig) => openDatabaseConnection(c) },
  ],
  exports: [DATABASE_CONNECTION],
})
class DatabaseConnectionModule implements OnApplicationShutdown {
  constructor(@Inject(DATABASE_CONNECTION) private readonly connection: DatabaseConnection) {}

  // Runs after TypeORM has closed its pool (TypeOrmCoreModule depends on this module).
  async onApplicationShutdown(): Promise<void> {
    await this.connection.release();
  }
}

export interface DatabaseModuleOptions {
  /** Apply pending migrations while starting (the server does; `attest migrate` does it explicitly). */
  migrate: boolean;
}

@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        DatabaseConnectionModule,
        TypeOrmModule.forRootAsync({
          inject: [DATABASE_CONNECTION, APP_CONFIG],
          useFactory: (connection: DatabaseConnection, config: AppConfig) => ({
            ...dataSourceOptions(connection.url, config.dbPoolSize),
            logger: new TypeOrmLogger(),
            retryAttempts: 2,
            retryDelay: 1000,
          }),
          dataSourceFactory: async (opts) => {
            const ds = await new DataSource(opts!).initialize();
            if (options.migrate) await runMigrationsLocked(ds);
            return ds;
          },
        }),
      ],
      providers: [DatabaseStatusService],
      exports: [DatabaseStatusService],
    };
  }
}
