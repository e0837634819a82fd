import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions.js';
import { ENTITIES, MIGRATIONS } from './schema';

/**
 * TypeORM options shared by the app, the CLI and the tests. The schema comes from migrations only:
 * `synchronize` is off everywhere (a test asserts it) and drift between entities and migrations fails CI.
 */
export function dataSourceOptions(url: string, poolSize: number): PostgresDataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    // gen_random_uuid() is core PostgreSQL (13+): no extension to install.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    logging: ['error', 'warn', 'migration'],
    extra: { max: poolSize, application_name: 'attest' },
  };
}
