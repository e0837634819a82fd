// The schema comes from migrations only: they build it from an empty database, match the entities
// exactly (what `migration:generate` would emit is empty), and can be reverted and re-applied.
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { pendingMigrations, runMigrationsLocked } from '../../src/database/migrations-runner';
import { MIGRATIONS } from '../../src/database/schema';
import { createTestDatabase, TestDatabase } from '../support/database';

let db: TestDatabase;
let ds: DataSource;

beforeAll(async () => {
  db = await createTestDatabase({ migrated: false });
  ds = await new DataSource(dataSourceOptions(db.url, 4)).initialize();
});
afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

const userTables = async () =>
  (
    (await ds.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)) as {
      tablename: string;
    }[]
  ).map((r) => r.tablename);

it('never synchronizes the schema from entities', () => {
  expect(dataSourceOptions('postgres://x@localhost/x', 1).synchronize).toBe(false);
  expect(ds.options.synchronize).toBe(false);
  expect(ds.options.migrationsRun).toBe(false);
});

it('builds the whole schema from an empty database', async () => {
  expect(await userTables()).toEqual([]);
  expect(await pendingMigrations(ds)).toHaveLength(MIGRATIONS.length);
  const applied = await runMigrationsLocked(ds);
  expect(applied).toEqual(MIGRATIONS.map((m) => new m().name));
  expect(await pendingMigrations(ds)).toEqual([]);
  expect(await userTables()).toContain('job_runs');
});

it('leaves no drift between entities and migrations', async () => {
  const diff = await ds.driver.createSchemaBuilder().log();
  expect(diff.upQueries.map((q) => q.query)).toEqual([]);
});

it('applies nothing twice when run again (two instances starting at once)', async () => {
  const [a, b] = await Promise.all([runMigrationsLocked(ds), runMigrationsLocked(ds)]);
  expect([...a, ...b]).toEqual([]);
});

it('reverts every migration with its down() and re-applies them', async () => {
  for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration({ transaction: 'each' });
  expect(await userTables()).toEqual(['migrations']);
  const types = await ds.query(
    `SELECT typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' AND t.typtype = 'e'`,
  );
  expect(types).toEqual([]);
  await runMigrationsLocked(ds);
  expect((await ds.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
});
