// A transaction whose connection PostgreSQL ends under it (a restart, `pg_ctl stop -m fast`, an
// administrator's pg_terminate_backend): the pg client emits the server's 57P01, TypeORM releases the query
// runner on that event, and the transaction's next query or its COMMIT then throws TypeORM's own
// "query runner already released" errors instead of the driver's. bench/soak.sh found these answered 500
// (a sweep completion and evidence uploads caught by a PostgreSQL restart); nothing was committed, so the
// answer is 503 database.unavailable with Retry-After, like every other way of losing the database.
// Real PostgreSQL (the suite's), the app's own DataSource options, and problemFor as the filter calls it.
import { Client } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { problemFor } from '../../src/common/http/problem';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { createTestDatabase, TestDatabase } from '../support/database';

let db: TestDatabase;
let ds: DataSource;
let admin: Client;

beforeAll(async () => {
  db = await createTestDatabase();
  ds = await new DataSource(dataSourceOptions(db.url, 2)).initialize();
  admin = new Client({ connectionString: db.url });
  await admin.connect();
});

afterAll(async () => {
  await ds?.destroy();
  await admin?.end();
  await db?.drop();
});

/** Runs a transaction that terminates its own connection, waits for TypeORM to notice, then does `next`. */
async function terminatedTransaction(next: (m: EntityManager) => Promise<unknown>): Promise<unknown> {
  return ds
    .transaction(async (m) => {
      const [{ pid }] = await m.query('SELECT pg_backend_pid() AS pid');
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      while (!m.queryRunner!.isReleased) await new Promise((r) => setTimeout(r, 20));
      await next(m);
    })
    .then(
      () => new Error('the transaction went through on a terminated connection'),
      (e: unknown) => e,
    );
}

it.each([
  ['its next query through the manager', (m: EntityManager) => m.query('SELECT 1')],
  ['its next query through the query runner', (m: EntityManager) => m.queryRunner!.query('SELECT 1')],
  ['its commit', async () => undefined],
])('a transaction whose connection was terminated answers 503 database.unavailable at %s', async (_at, next) => {
  const error = await terminatedTransaction(next);
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).name).toMatch(/^QueryRunner(Provider)?AlreadyReleasedError$/); // TypeORM's, not the driver's
  const mapped = problemFor(error);
  expect(mapped.problem).toMatchObject({ status: 503, code: 'database.unavailable' });
  expect(mapped.retryAfterSeconds).toBe(5);
});

it('the pool serves the next transaction on a fresh connection', async () => {
  await expect(ds.transaction((m) => m.query('SELECT 1 AS n'))).resolves.toEqual([{ n: 1 }]);
});
