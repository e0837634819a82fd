import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions.js';
import { ENTITIES, MIGRATIONS } from './schema';

/** How long a query waits for a pooled connection, or for a new one to be opened. */
export const POOL_ACQUIRE_TIMEOUT_MS = 30_000;

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
    // Waiting longer than POOL_ACQUIRE_TIMEOUT_MS for a connection fails (503 database.unavailable for a
    // request) instead of waiting forever: an exhausted pool becomes an error in the log, not a hang.
    extra: { max: poolSize, application_name: 'attest', connectionTimeoutMillis: POOL_ACQUIRE_TIMEOUT_MS },
  };
}
