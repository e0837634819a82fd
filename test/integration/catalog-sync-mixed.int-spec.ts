// One catalog sync with every kind of change at once (issue 15: the set-based sync sends rows as JSON):
// a renamed control (the old key retired, the new one created), changed titles and mappings, a removed
// control, requirement and framework, a moved control (no new version), a new control — and texts with
// quotes, backslashes, line breaks, Thai and emoji. The rows hold exactly the catalog's values, the links
// follow, the owner a person assigned stays, and the audit entries are one per change, in catalog order,
// each naming its row; a repeated sync changes nothing.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { AuditTrailService } from '../../src/audit-trail/audit-trail.service';
import { actorRef, systemActor } from '../../src/authz/actor';
import { CatalogService } from '../../src/catalog/catalog.service';
import { startTestApp, TestApp } from '../support/app';

const dir = mkdtempSync(join(tmpdir(), 'attest-catalog-mixed-'));
const q = (s: string) => JSON.stringify(s); // a YAML double-quoted scalar
const TEXTS = ['say "hi"', 'back\\slash \\" both', 'two\nlines', 'ไทย ภาษา', 'emoji 😀', '{"looks":"like json"}'];

interface Ctl {
  key: string;
  title: string;
  owner?: string;
  evidence?: string[];
  maps: Record<string, string[]>;
}

/** The first catalog: MIX-001…MIX-010 (tricky titles and evidence), framework fw (R1–R5) and old (O1). */
const first: Ctl[] = Array.from({ length: 10 }, (_, i): Ctl => ({
  key: `MIX-${String(i + 1).padStart(3, '0')}`,
  title: `${TEXTS[i % TEXTS.length]} ${i + 1}`,
  evidence: [TEXTS[(i + 1) % TEXTS.length], `plain ${i}`],
  maps: i === 3 ? { fw: ['R1'], old: ['O1'] } : { fw: [`R${(i % 5) + 1}`] },
}));

function writeCatalog(controls: Ctl[], frameworks: Record<string, [string, string][]>): void {
  rmSync(join(dir, 'frameworks'), { recursive: true, force: true });
  rmSync(join(dir, 'controls'), { recursive: true, force: true });
  mkdirSync(join(dir, 'frameworks'), { recursive: true });
  mkdirSync(join(dir, 'controls'), { recursive: true });
  copyFileSync(
    join(__dirname, '..', 'fixtures', 'catalog', 'valid', 'departments.yaml'),
    join(dir, 'departments.yaml'),
  );
  for (const [key, reqs] of Object.entries(frameworks)) {
    const lines = reqs.map(([ref, title]) => `  - { ref: ${ref}, group: G, title: ${q(title)} }`);
    writeFileSync(
      join(dir, 'frameworks', `${key}.yaml`),
      `framework: ${key}\nname: ${key}\nversion: "1"\nrequirements:\n${lines.join('\n')}\n`,
    );
  }
  const lines = controls.map(
    (c) =>
      `  - { key: ${c.key}, title: ${q(c.title)}, description: ${q(`About ${c.title}`)}, owner: ${c.owner ?? 'privacy'}, cadence: weekly, evidence: [${(c.evidence ?? ['x']).map(q).join(', ')}], maps: { ${Object.entries(
        c.maps,
      )
        .map(([fw, refs]) => `${fw}: [${refs.join(', ')}]`)
        .join(', ')} } }`,
  );
  writeFileSync(join(dir, 'controls', 'main.yaml'), `controls:\n${lines.join('\n')}\n`);
}

const FW: [string, string][] = [1, 2, 3, 4, 5].map((i) => [`R${i}`, `Requirement ${i} ${TEXTS[i % TEXTS.length]}`]);

let t: TestApp;
let db: Client;
const cli = actorRef(systemActor('test'));

beforeAll(async () => {
  writeCatalog(first, { fw: FW, old: [['O1', 'Old one']] });
  t = await startTestApp({ env: { CONTROLS_DIR: dir } }); // the server syncs the catalog at start
  db = new Client({ connectionString: t.db.url });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

const controlRow = async (key: string) =>
  (
    await db.query(
      `SELECT key, title, description, owner_department, owner_user_id, evidence_guidance, position, version,
              retired_at IS NOT NULL AS retired
         FROM controls WHERE key = $1`,
      [key],
    )
  ).rows[0];
const linksOf = async (key: string) =>
  (
    await db.query(
      `SELECT f.key || ':' || r.ref AS ref FROM control_requirements cr JOIN controls c ON c.id = cr.control_id
         JOIN requirements r ON r.id = cr.requirement_id JOIN frameworks f ON f.id = r.framework_id
        WHERE c.key = $1 ORDER BY 1`,
      [key],
    )
  ).rows.map((r: { ref: string }) => r.ref);

it('stores every text exactly as the catalog has it', async () => {
  for (const [i, c] of first.entries()) {
    expect(await controlRow(c.key)).toEqual({
      key: c.key,
      title: c.title,
      description: `About ${c.title}`,
      owner_department: 'privacy',
      owner_user_id: null,
      evidence_guidance: c.evidence,
      position: i,
      version: 1,
      retired: false,
    });
  }
  const reqs = await db.query(
    `SELECT r.ref, r.title FROM requirements r JOIN frameworks f ON f.id = r.framework_id WHERE f.key = 'fw' ORDER BY r.position`,
  );
  expect(reqs.rows.map((r: { ref: string; title: string }) => [r.ref, r.title])).toEqual(FW);
  expect(await linksOf('MIX-004')).toEqual(['fw:R1', 'old:O1']);
});

it('applies a rename, changes, removals, a move and an addition in one sync, one audit entry per change in order', async () => {
  const owner = (
    await db.query(`INSERT INTO users (email, name, role) VALUES ('o@mixed.test', 'O', 'control_owner') RETURNING id`)
  ).rows[0].id;
  await db.query(`UPDATE controls SET owner_user_id = $1 WHERE key = 'MIX-002'`, [owner]);
  const [{ seq: before }] = (await db.query(`SELECT max(seq)::int AS seq FROM audit_log`)).rows;

  const byKey = new Map(first.map((c) => [c.key, c]));
  const next: Ctl[] = [
    byKey.get('MIX-010')!, // moved to the top: a new position, not a new version
    { ...byKey.get('MIX-001')!, key: 'MIX-101' }, // renamed
    { ...byKey.get('MIX-002')!, title: 'Quoted "again" \\ ✓', maps: { fw: ['R2', 'R3'] } },
    { ...byKey.get('MIX-004')!, maps: { fw: ['R1'] } }, // framework old is gone
    ...['MIX-003', 'MIX-005', 'MIX-006', 'MIX-007', 'MIX-008'].map((k) => byKey.get(k)!),
    { key: 'MIX-011', title: 'Brand new 😀', maps: { fw: ['R5'] } },
  ]; // MIX-009 removed (with R4, which only it mapped)
  const fw: [string, string][] = FW.filter(([ref]) => ref !== 'R4').map(([ref, title]) =>
    ref === 'R2' ? [ref, 'Requirement two, "revised"'] : [ref, title],
  );
  writeCatalog(next, { fw });
  const report = await t.app.get(CatalogService).syncFromFiles(cli);
  expect(report).toEqual({
    created: ['MIX-101', 'MIX-011'],
    updated: ['fw:R2', 'MIX-002', 'MIX-004'],
    retired: ['fw:R4', 'old', 'MIX-001', 'MIX-009'],
    unchanged: 1 + 3 + 6, // fw; R1, R3, R5; MIX-010, MIX-003, MIX-005…MIX-008
  });

  const entries = (
    await db.query(`SELECT action, subject_type, subject_id, canonical FROM audit_log WHERE seq > $1 ORDER BY seq`, [
      before,
    ])
  ).rows.map((r: { action: string; subject_type: string; subject_id: string; canonical: string }) => ({
    action: r.action,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    data: JSON.parse(r.canonical).data,
  }));
  expect(entries.map(({ action, data }) => [action, data])).toEqual([
    ['catalog.requirement_update', { key: 'fw:R2', version: 2, changed: ['title'] }],
    ['catalog.requirement_retire', { key: 'fw:R4', version: 1 }],
    ['catalog.framework_retire', { key: 'old', version: 1 }],
    ['catalog.control_create', { key: 'MIX-101', version: 1 }],
    ['catalog.control_update', { key: 'MIX-002', version: 2, changed: ['title', 'description', 'maps'] }],
    ['catalog.control_update', { key: 'MIX-004', version: 2, changed: ['maps'] }],
    ['catalog.control_create', { key: 'MIX-011', version: 1 }],
    ['catalog.control_retire', { key: 'MIX-001', version: 1 }],
    ['catalog.control_retire', { key: 'MIX-009', version: 1 }],
  ]);
  // Each entry names its own row.
  for (const e of entries) {
    const table = { Framework: 'frameworks', Requirement: 'requirements', Control: 'controls' }[e.subjectType]!;
    const [row] = (await db.query(`SELECT id FROM ${table} WHERE id::text = $1`, [e.subjectId])).rows;
    expect(row).toBeDefined();
  }
  const [created] = (await db.query(`SELECT id::text FROM controls WHERE key = 'MIX-101'`)).rows;
  expect(entries[3].subjectId).toBe(created.id);

  expect(await controlRow('MIX-010')).toMatchObject({ position: 0, version: 1, retired: false });
  expect(await controlRow('MIX-101')).toMatchObject({ title: first[0].title, evidence_guidance: first[0].evidence });
  expect(await controlRow('MIX-001')).toMatchObject({ retired: true, version: 1 });
  expect(await controlRow('MIX-009')).toMatchObject({ retired: true });
  expect(await controlRow('MIX-003')).toMatchObject({ retired: false, version: 1, position: 4 });
  expect(await controlRow('MIX-002')).toMatchObject({ title: 'Quoted "again" \\ ✓', owner_user_id: owner, version: 2 });
  expect(await controlRow('MIX-011')).toMatchObject({ title: 'Brand new 😀', evidence_guidance: ['x'], position: 9 });
  expect(await linksOf('MIX-002')).toEqual(['fw:R2', 'fw:R3']);
  expect(await linksOf('MIX-004')).toEqual(['fw:R1']);
  expect(await linksOf('MIX-101')).toEqual(['fw:R1']);
  const retired = await db.query(
    `SELECT (SELECT retired_at IS NOT NULL FROM frameworks WHERE key = 'old') AS old,
            (SELECT r.retired_at IS NOT NULL FROM requirements r JOIN frameworks f ON f.id = r.framework_id
              WHERE f.key = 'fw' AND r.ref = 'R4') AS r4`,
  );
  expect(retired.rows[0]).toEqual({ old: true, r4: true });
  expect(await t.app.get(AuditTrailService).verify()).toMatchObject({ ok: true });

  const again = await t.app.get(CatalogService).syncFromFiles(cli);
  expect(again).toMatchObject({ created: [], updated: [], retired: [] });
  expect((await db.query(`SELECT max(seq)::int AS seq FROM audit_log`)).rows[0].seq).toBe(before + entries.length);
});
