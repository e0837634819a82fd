// Syncing controls/ into the database: idempotent, versioned, retiring (never deleting), audited, and
// keeping the owners people assigned in the app.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { CatalogService } from '../../src/catalog/catalog.service';
import { actorRef, systemActor } from '../../src/authz/actor';
import { startTestApp, TestApp } from '../support/app';

const VALID = join(__dirname, '..', 'fixtures', 'catalog', 'valid');
const dir = mkdtempSync(join(tmpdir(), 'attest-catalog-sync-'));
cpSync(VALID, dir, { recursive: true });
const edit = (file: string, change: (t: string) => string) =>
  writeFileSync(join(dir, file), change(readFileSync(join(dir, file), 'utf8')));

let t: TestApp;
let catalog: CatalogService;
let db: Client;
const cli = actorRef(systemActor('test'));

beforeAll(async () => {
  t = await startTestApp({ env: { CONTROLS_DIR: dir } }); // the server syncs the catalog at start
  catalog = t.app.get(CatalogService);
  db = new Client({ connectionString: t.db.url });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

const auditCount = async (prefix: string) =>
  Number((await db.query(`SELECT count(*) FROM audit_log WHERE action LIKE $1`, [`${prefix}%`])).rows[0].count);
const control = async (key: string) => (await db.query(`SELECT * FROM controls WHERE key = $1`, [key])).rows[0];

it('the start-up sync created every framework, requirement and control, each audited once', async () => {
  expect((await db.query(`SELECT key, version FROM frameworks ORDER BY key`)).rows).toEqual([
    { key: 'alpha', version: 1 },
    { key: 'beta', version: 1 },
  ]);
  expect(Number((await db.query(`SELECT count(*) FROM requirements`)).rows[0].count)).toBe(5);
  expect(Number((await db.query(`SELECT count(*) FROM control_requirements`)).rows[0].count)).toBe(5);
  expect(await auditCount('catalog.')).toBe(2 + 5 + 2);
});

it('re-running the sync changes nothing and writes no audit entry', async () => {
  const before = await auditCount('');
  const report = await catalog.syncFromFiles(cli);
  expect(report).toEqual({ created: [], updated: [], retired: [], unchanged: 9 });
  expect(await auditCount('')).toBe(before);
});

it('editing a control title bumps its version and writes exactly one audit entry naming the field', async () => {
  const before = await auditCount('catalog.');
  edit('controls/main.yaml', (x) =>
    x.replace('title: Quarterly access review', 'title: Quarterly review of every account'),
  );
  const report = await catalog.syncFromFiles(cli);
  expect(report.updated).toEqual(['ACC-01']);
  expect(await control('ACC-01')).toMatchObject({ title: 'Quarterly review of every account', version: 2 });
  expect(await auditCount('catalog.')).toBe(before + 1);
  const { rows } = await db.query(
    `SELECT canonical FROM audit_log WHERE action = 'catalog.control_update' ORDER BY seq DESC LIMIT 1`,
  );
  expect(JSON.parse(rows[0].canonical).data).toEqual({ changed: ['title'], key: 'ACC-01', version: 2 });
});

it('changing a mapping is a change of the control, and the links follow', async () => {
  edit('controls/main.yaml', (x) => x.replace('alpha: [A1, A2]', 'alpha: [A2]'));
  const report = await catalog.syncFromFiles(cli);
  expect(report.updated).toEqual(['ACC-01']);
  const { rows } = await db.query(
    `SELECT canonical FROM audit_log WHERE action = 'catalog.control_update' ORDER BY seq DESC LIMIT 1`,
  );
  expect(JSON.parse(rows[0].canonical).data.changed).toEqual(['maps']);
  const refs = (
    await db.query(
      `SELECT r.ref FROM control_requirements cr JOIN requirements r ON r.id = cr.requirement_id JOIN controls c ON c.id = cr.control_id WHERE c.key = 'ACC-01'`,
    )
  ).rows;
  expect(refs).toEqual([{ ref: 'A2' }]);
});

it('an event cadence (evidence per occurrence) is stored with its maximum interval; the database refuses one without', async () => {
  edit('controls/main.yaml', (x) =>
    x.replace('    cadence: quarterly\n', '    cadence: event\n    max_interval_days: 365\n'),
  );
  const report = await catalog.syncFromFiles(cli);
  expect(report.updated).toEqual(['ACC-01']);
  expect(await control('ACC-01')).toMatchObject({ cadence: 'event', max_interval_days: 365 });
  const { rows } = await db.query(
    `SELECT canonical FROM audit_log WHERE action = 'catalog.control_update' ORDER BY seq DESC LIMIT 1`,
  );
  expect(JSON.parse(rows[0].canonical).data.changed).toEqual(['cadence', 'maxIntervalDays']);
  expect((await catalog.liveControls()).find((c) => c.key === 'ACC-01')).toMatchObject({
    cadence: 'event',
    maxIntervalDays: 365,
  });
  await expect(db.query(`UPDATE controls SET max_interval_days = NULL WHERE key = 'ACC-01'`)).rejects.toThrow(
    /CHK_controls_max_interval/,
  );
  await expect(db.query(`UPDATE controls SET max_interval_days = 30 WHERE key = 'PRV-01'`)).rejects.toThrow(
    /CHK_controls_max_interval/,
  );

  edit('controls/main.yaml', (x) =>
    x.replace('    cadence: event\n    max_interval_days: 365\n', '    cadence: quarterly\n'),
  );
  await catalog.syncFromFiles(cli);
  expect(await control('ACC-01')).toMatchObject({ cadence: 'quarterly', max_interval_days: null });
});

it('keeps the owner a person assigned in the app across syncs', async () => {
  const owner = (
    await db.query(
      `INSERT INTO users (email, name, role) VALUES ('p@example.com', 'P', 'privacy_officer') RETURNING id`,
    )
  ).rows[0].id;
  await db.query(`UPDATE controls SET owner_user_id = $1 WHERE key = 'PRV-01'`, [owner]);
  edit('controls/main.yaml', (x) =>
    x.replace(
      'The privacy office answers requests within 7 days.',
      'The privacy office answers every request within 7 days.',
    ),
  );
  await catalog.syncFromFiles(cli);
  expect(await control('PRV-01')).toMatchObject({ owner_user_id: owner, version: 2 });
});

it('retires a removed control (never deletes it) and restores it with a new version when it comes back', async () => {
  const saved = readFileSync(join(dir, 'controls/main.yaml'), 'utf8');
  edit('controls/main.yaml', (x) =>
    x.slice(0, x.indexOf('  - key: PRV-01')).replace('alpha: [A2]', 'alpha: [A1, A2]\n      beta: [s30, s37(4)]'),
  );
  const report = await catalog.syncFromFiles(cli);
  expect(report.retired).toEqual(['PRV-01']);
  expect((await control('PRV-01')).retired_at).not.toBeNull();
  expect((await catalog.coverage('beta')).uncovered).toEqual([]);
  writeFileSync(join(dir, 'controls/main.yaml'), saved);
  const back = await catalog.syncFromFiles(cli);
  expect(back.updated).toContain('PRV-01');
  expect(await control('PRV-01')).toMatchObject({ retired_at: null, version: 3 });
});

it('refuses an invalid catalog as a whole, listing the problems, and changes nothing', async () => {
  const before = await auditCount('');
  edit('controls/main.yaml', (x) => x.replace('owner: privacy', 'owner: marketing'));
  await expect(catalog.syncFromFiles(cli)).rejects.toThrow(
    /controls\/main\.yaml:\d+: owner "marketing" is not a department/,
  );
  expect(await auditCount('')).toBe(before);
  edit('controls/main.yaml', (x) => x.replace('owner: marketing', 'owner: privacy'));
});

it('two syncs at once leave one consistent catalog', async () => {
  edit('frameworks/alpha.yaml', (x) => x.replace('title: Records are kept', 'title: Records are kept safely'));
  const [a, b] = await Promise.all([catalog.syncFromFiles(cli), catalog.syncFromFiles(cli)]);
  expect([...a.updated, ...b.updated]).toEqual(['alpha:A3']);
  expect(Number((await db.query(`SELECT count(*) FROM requirements`)).rows[0].count)).toBe(5);
});
