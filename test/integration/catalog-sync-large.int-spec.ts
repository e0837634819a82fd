// A large catalog through the set-based sync: every row, link and audit entry is there once, the chain
// still verifies, changes are versioned and audited one entry each, and a repeated sync changes nothing.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { AuditTrailService } from '../../src/audit-trail/audit-trail.service';
import { actorRef, systemActor } from '../../src/authz/actor';
import { CatalogService } from '../../src/catalog/catalog.service';
import { startTestApp, TestApp } from '../support/app';

const CONTROLS = 2400;
const REFS = 300;
const dir = mkdtempSync(join(tmpdir(), 'attest-catalog-large-'));
const refs = Array.from({ length: REFS }, (_, i) => `R${i + 1}`);
const keyOf = (i: number) => `L${String.fromCharCode(65 + Math.floor(i / 1000))}-${String(i % 1000).padStart(3, '0')}`;

/** Writes the catalog: frameworks big and small, CONTROLS controls in three files; `title` and `keep` vary it. */
function writeCatalog(title: (i: number) => string = (i) => `Control ${i}`, keep: (i: number) => boolean = () => true) {
  rmSync(join(dir, 'controls'), { recursive: true, force: true });
  mkdirSync(join(dir, 'frameworks'), { recursive: true });
  mkdirSync(join(dir, 'controls'), { recursive: true });
  copyFileSync(
    join(__dirname, '..', 'fixtures', 'catalog', 'valid', 'departments.yaml'),
    join(dir, 'departments.yaml'),
  );
  for (const fw of ['big', 'small']) {
    const own = fw === 'big' ? refs : refs.slice(0, 10);
    const lines = own.map((r) => `  - { ref: ${r}, group: G, title: Requirement ${r} of ${fw} }`);
    writeFileSync(
      join(dir, 'frameworks', `${fw}.yaml`),
      `framework: ${fw}\nname: ${fw}\nversion: "1"\nrequirements:\n${lines.join('\n')}\n`,
    );
  }
  for (let f = 0; f < 3; f++) {
    const lines = ['controls:'];
    for (let i = f; i < CONTROLS; i += 3) {
      if (!keep(i)) continue;
      const maps =
        i % 2
          ? `{ big: [${refs[i % REFS]}, ${refs[(i + 7) % REFS]}] }`
          : `{ big: [${refs[i % REFS]}], small: [${refs[(i / 2) % 10]}] }`;
      lines.push(
        `  - { key: ${keyOf(i)}, title: ${title(i)}, description: Control number ${i}, owner: ${i % 2 ? 'privacy' : 'engineering'}, cadence: weekly, evidence: [x, "y ${i}"], maps: ${maps} }`,
      );
    }
    writeFileSync(join(dir, 'controls', `c${f}.yaml`), lines.join('\n') + '\n');
  }
}

let t: TestApp;
let db: Client;
const cli = actorRef(systemActor('test'));
const count = async (sql: string, params: unknown[] = []) => Number((await db.query(sql, params)).rows[0].count);

beforeAll(async () => {
  writeCatalog();
  t = await startTestApp({ env: { CONTROLS_DIR: dir } }); // the server syncs the catalog at start
  db = new Client({ connectionString: t.db.url });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('the start-up sync stored every item and link once, each with one audit entry naming its row', async () => {
  expect(await count(`SELECT count(*) FROM frameworks`)).toBe(2);
  expect(await count(`SELECT count(*) FROM requirements`)).toBe(REFS + 10);
  expect(await count(`SELECT count(*) FROM controls WHERE version = 1 AND retired_at IS NULL`)).toBe(CONTROLS);
  expect(await count(`SELECT count(*) FROM control_requirements`)).toBe(CONTROLS * 2);
  for (const [table, kind] of [
    ['frameworks', 'framework'],
    ['requirements', 'requirement'],
    ['controls', 'control'],
  ]) {
    // One create entry per row, each naming its own row.
    expect(
      await count(`SELECT count(*) FROM ${table} t JOIN audit_log a ON a.subject_id = t.id::text AND a.action = $1`, [
        `catalog.${kind}_create`,
      ]),
    ).toBe(await count(`SELECT count(*) FROM ${table}`));
  }
  expect(await count(`SELECT count(*) FROM audit_log WHERE action LIKE 'catalog.%'`)).toBe(2 + REFS + 10 + CONTROLS);
  const { rows } = await db.query(
    `SELECT a.canonical, c.title FROM audit_log a JOIN controls c ON c.id::text = a.subject_id WHERE c.key = $1`,
    [keyOf(1234)],
  );
  expect(JSON.parse(rows[0].canonical).data).toEqual({ key: keyOf(1234), version: 1 });
  const links = await db.query(
    `SELECT f.key AS fw, r.ref FROM control_requirements cr JOIN controls c ON c.id = cr.control_id
       JOIN requirements r ON r.id = cr.requirement_id JOIN frameworks f ON f.id = r.framework_id
      WHERE c.key = $1 ORDER BY f.key, r.ref`,
    [keyOf(1234)],
  );
  expect(links.rows).toEqual([
    { fw: 'big', ref: refs[1234 % REFS] },
    { fw: 'small', ref: refs[(1234 / 2) % 10] },
  ]);
  expect(await t.app.get(AuditTrailService).verify()).toMatchObject({ ok: true });
});

it('a second sync of the same catalog changes nothing and writes no audit entry', async () => {
  const before = await count(`SELECT count(*) FROM audit_log`);
  const report = await t.app.get(CatalogService).syncFromFiles(cli);
  expect(report).toEqual({ created: [], updated: [], retired: [], unchanged: 2 + REFS + 10 + CONTROLS });
  expect(await count(`SELECT count(*) FROM audit_log`)).toBe(before);
});

it('changes many controls at once: one audit entry each, in catalog order, versions bumped, the rest untouched', async () => {
  const before = await count(`SELECT count(*) FROM audit_log`);
  const edited = (i: number) => i % 10 === 3;
  const removed = (i: number) => i % 47 === 5; // never every control of a requirement
  writeCatalog(
    (i) => (edited(i) ? `Control ${i} revised` : `Control ${i}`),
    (i) => !removed(i),
  );
  const report = await t.app.get(CatalogService).syncFromFiles(cli);
  const inFileOrder = [0, 1, 2].flatMap((f) =>
    Array.from({ length: CONTROLS }, (_, i) => i).filter((i) => i % 3 === f),
  );
  expect(report.updated).toEqual(inFileOrder.filter((i) => edited(i) && !removed(i)).map(keyOf));
  expect(report.retired.sort()).toEqual(inFileOrder.filter(removed).map(keyOf).sort());
  expect(report.created).toEqual([]);
  const changes = report.updated.length + report.retired.length;
  expect(await count(`SELECT count(*) FROM audit_log`)).toBe(before + changes);
  expect(await count(`SELECT count(*) FROM audit_log WHERE action = 'catalog.control_update'`)).toBe(
    report.updated.length,
  );
  const { rows } = await db.query(
    `SELECT a.canonical FROM audit_log a JOIN controls c ON c.id::text = a.subject_id
      WHERE c.key = $1 AND a.action = 'catalog.control_update'`,
    [keyOf(13)],
  );
  expect(rows.map((r) => JSON.parse(r.canonical).data)).toEqual([{ changed: ['title'], key: keyOf(13), version: 2 }]);
  expect(await count(`SELECT count(*) FROM controls WHERE version = 2`)).toBe(report.updated.length);
  expect(await count(`SELECT count(*) FROM controls WHERE retired_at IS NOT NULL`)).toBe(report.retired.length);
  expect(await count(`SELECT count(*) FROM control_requirements`)).toBe(CONTROLS * 2);
  expect(await t.app.get(AuditTrailService).verify()).toMatchObject({ ok: true });

  const again = await t.app.get(CatalogService).syncFromFiles(cli);
  expect(again).toMatchObject({ created: [], updated: [], retired: [] });
  expect(await count(`SELECT count(*) FROM audit_log`)).toBe(before + changes);
});
