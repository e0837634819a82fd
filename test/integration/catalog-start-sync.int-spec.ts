// The start's catalog sync (issue 15): skipped when controls/ and the sync code are those of the last completed
// sync, whichever instance made it (the fingerprint is in the database); run when a file changed; a failed
// sync leaves the earlier fingerprint, so the next start tries again. Real instances on one real database.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { loadCatalog } from '../../src/catalog/catalog-loader';
import { catalogFingerprint } from '../../src/catalog/catalog-fingerprint';
import { startTestApp } from '../support/app';
import { createTestDatabase, TestDatabase } from '../support/database';

// loadCatalog as it is, counted: the start's parse is observable (swc's exports cannot be spied on in place).
jest.mock('../../src/catalog/catalog-loader', () => {
  const actual = jest.requireActual<typeof import('../../src/catalog/catalog-loader')>(
    '../../src/catalog/catalog-loader',
  );
  return { ...actual, loadCatalog: jest.fn(actual.loadCatalog) };
});
const parses = loadCatalog as jest.MockedFunction<typeof loadCatalog>;

const VALID = join(__dirname, '..', 'fixtures', 'catalog', 'valid');
const dir = mkdtempSync(join(tmpdir(), 'attest-catalog-start-'));
cpSync(VALID, dir, { recursive: true });
const edit = (file: string, change: (t: string) => string) =>
  writeFileSync(join(dir, file), change(readFileSync(join(dir, file), 'utf8')));

let shared: TestDatabase;
let db: Client;
/** Starts an instance on the shared database with the test's controls/, then stops it. */
const startAndStop = async () => (await startTestApp({ db: shared, env: { CONTROLS_DIR: dir } })).close();

beforeAll(async () => {
  shared = await createTestDatabase();
  db = new Client({ connectionString: shared.url });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await shared?.drop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => parses.mockClear());

const state = async (): Promise<{ fingerprint: string; synced_at: Date } | undefined> =>
  (await db.query(`SELECT fingerprint, synced_at FROM catalog_sync_state`)).rows[0];
const auditCount = async () =>
  Number((await db.query(`SELECT count(*) FROM audit_log WHERE action LIKE 'catalog.%'`)).rows[0].count);
const control = async (key: string) => (await db.query(`SELECT * FROM controls WHERE key = $1`, [key])).rows[0];

it('the first start syncs the catalog and stores the fingerprint of what it synced', async () => {
  expect(await state()).toBeUndefined();
  await startAndStop();
  expect(parses).toHaveBeenCalledTimes(1);
  expect(await auditCount()).toBe(2 + 5 + 2);
  expect((await state())?.fingerprint).toBe(catalogFingerprint(dir));
});

it('a start with unchanged files neither parses nor syncs the catalog', async () => {
  const before = await state();
  const audited = await auditCount();
  await startAndStop();
  expect(parses).not.toHaveBeenCalled();
  expect(await state()).toEqual(before);
  expect(await auditCount()).toBe(audited);
});

it('an edited control file is synced at the next start, and the new fingerprint stored', async () => {
  const audited = await auditCount();
  edit('controls/main.yaml', (x) => x.replace('title: Quarterly access review', 'title: Quarterly review of accounts'));
  await startAndStop();
  expect(parses).toHaveBeenCalledTimes(1);
  expect(await control('ACC-01')).toMatchObject({ title: 'Quarterly review of accounts', version: 2 });
  expect(await auditCount()).toBe(audited + 1);
  expect((await state())?.fingerprint).toBe(catalogFingerprint(dir));
});

it('an invalid catalog stops the start and keeps the earlier fingerprint', async () => {
  const before = await state();
  edit('controls/main.yaml', (x) => x.replace('owner: privacy', 'owner: marketing'));
  await expect(startAndStop()).rejects.toThrow(/owner "marketing" is not a department/);
  expect(await state()).toEqual(before);
  edit('controls/main.yaml', (x) => x.replace('owner: marketing', 'owner: privacy'));
});

it('a sync that fails in the database stores no fingerprint; the next start syncs', async () => {
  const before = await state();
  await db.query(`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'controls are read-only in this test'; END $$`);
  await db.query(`CREATE TRIGGER refuse BEFORE UPDATE ON controls FOR EACH ROW EXECUTE FUNCTION refuse()`);
  edit('controls/main.yaml', (x) => x.replace('title: Quarterly review of accounts', 'title: Review of accounts'));
  await expect(startAndStop()).rejects.toThrow(/controls are read-only in this test/);
  expect(await state()).toEqual(before);
  expect((await control('ACC-01')).title).toBe('Quarterly review of accounts');

  await db.query(`DROP TRIGGER refuse ON controls`);
  await startAndStop();
  expect((await control('ACC-01')).title).toBe('Review of accounts');
  expect((await state())?.fingerprint).toBe(catalogFingerprint(dir));
});

it('two instances starting together on a changed catalog sync each change once', async () => {
  const audited = await auditCount();
  edit('controls/main.yaml', (x) => x.replace('title: Review of accounts', 'title: Review of every account'));
  await Promise.all([startAndStop(), startAndStop()]);
  expect(await control('ACC-01')).toMatchObject({ title: 'Review of every account', version: 4 });
  expect(await auditCount()).toBe(audited + 1);
  expect((await state())?.fingerprint).toBe(catalogFingerprint(dir));
});
