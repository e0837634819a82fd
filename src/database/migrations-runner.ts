import type { DataSource } from 'typeorm';
import { MIGRATIONS } from './schema';

// Any constant shared by every instance: pg_advisory_lock serialises concurrent starts so two app
// instances never apply the same migration at once.
const MIGRATION_LOCK_KEY = 0x41545354; // "ATST"

/** Applies pending migrations under a cluster-wide advisory lock; returns the names applied. */
export async function runMigrationsLocked(ds: DataSource): Promise<string[]> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const applied = await ds.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}

/** Names of migrations this build knows about that the database has not applied yet. */
export async function pendingMigrations(ds: DataSource): Promise<string[]> {
  const table = await ds.query(`SELECT to_regclass('migrations') IS NOT NULL AS present`);
  const executed = new Set<string>();
  if (table[0].present) {
    for (const row of (await ds.query('SELECT name FROM migrations')) as { name: string }[]) executed.add(row.name);
  }
  return MIGRATIONS.map((m) => new m().name ?? m.name).filter((name): name is string => !!name && !executed.has(name));
}
