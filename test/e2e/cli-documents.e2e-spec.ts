// `attest documents import|export DIR` as a user runs them: the built CLI as a process on a real database.
// The seed policies in policies/ are imported (drafts: publication needs people's signatures), a second
// import changes nothing, the export reads back unchanged, a changed text goes into the open draft, and a
// folder with a bad front matter names file and line and imports nothing.
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '../support/database';
import { runCli } from '../support/processes';

const POLICIES = join(__dirname, '..', '..', 'policies');
/** The seed set of issue 17, in key order. */
const SEED = [
  'PLN-14971-RMP',
  'PLN-62304-SDP',
  'PLN-INCIDENT',
  'POL-ACCESS',
  'POL-ISMS',
  'POL-KEYS',
  'POL-PRIVACY',
  'POL-RETENTION',
  'POL-VULN',
  'PRC-DSR',
];
let db: TestDatabase;
let work: string;
const env = () => ({
  ...process.env,
  DATABASE_URL: db.url,
  DEMO: '1',
  LOG_LEVEL: 'warn',
  DATA_DIR: `/tmp/attest-cli-documents-${process.pid}`,
});

async function sql<T>(text: string, params: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: db.url });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  work = mkdtempSync(join(tmpdir(), 'attest-cli-documents-'));
  expect(runCli(['catalog', 'sync'], env()).status).toBe(0);
}, 120_000);
afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  await db?.drop();
});

it('imports the seed policies as drafts, then a second import changes nothing', async () => {
  const r = runCli(['documents', 'import', POLICIES], env());
  expect([r.status, r.stderr]).toEqual([0, '']);
  expect(r.stdout).toContain(`10 created (${SEED.join(', ')}), 0 updated, 10 new draft version(s)`);
  const rows = await sql<{ key: string; status: string; controls: string[]; audience_departments: string[] }>(
    `SELECT d.key, v.status, d.audience_departments,
            ARRAY(SELECT control_key FROM document_controls c WHERE c.document_id = d.id ORDER BY 1) AS controls
       FROM documents d JOIN document_versions v ON v.document_id = d.id ORDER BY d.key`,
  );
  expect(rows.map((x) => [x.key, x.status])).toEqual(SEED.map((key) => [key, 'draft']));
  expect(rows.find((x) => x.key === 'POL-KEYS')).toMatchObject({
    controls: ['ACC-04', 'ACC-05', 'ENG-02'],
    audience_departments: ['engineering', 'hms-ops', 'security'],
  });
  const trail = await sql<{ n: string }>(
    `SELECT count(*) AS n FROM audit_log WHERE action = 'document.create' AND actor = 'system:cli'`,
  );
  expect(Number(trail[0].n)).toBe(10);

  expect(runCli(['documents', 'import', POLICIES], env()).stdout).toMatch(
    /0 created, 0 updated, 0 new draft version\(s\), 10 unchanged/,
  );
});

it('exports what it imported, and the export imports back unchanged', () => {
  const out = join(work, 'exported');
  const r = runCli(['documents', 'export', out], env());
  expect(r.status).toBe(0);
  expect(readdirSync(out).sort()).toEqual(SEED.map((key) => `${key}.md`));
  const keys = readFileSync(join(out, 'POL-KEYS.md'), 'utf8');
  expect(keys).toContain('**30 days**');
  expect(keys.startsWith('---\nkey: POL-KEYS\n')).toBe(true);
  expect(runCli(['documents', 'import', out], env()).stdout).toMatch(/10 unchanged/);
});

it('a changed text goes into the open draft (no second version while one is open)', async () => {
  const dir = join(work, 'changed');
  cpSync(POLICIES, dir, { recursive: true });
  const file = join(dir, 'POL-ISMS.md');
  writeFileSync(file, readFileSync(file, 'utf8').replace('every year after.', 'every year after, and after a SEV1.'));
  expect(runCli(['documents', 'import', dir], env()).stdout).toMatch(
    /0 updated, 1 new draft version\(s\) \(POL-ISMS\), 9 unchanged/,
  );
  const versions = await sql<{ number: number; content: string }>(
    `SELECT v.number, v.content FROM document_versions v JOIN documents d ON d.id = v.document_id WHERE d.key = 'POL-ISMS'`,
  );
  expect(versions).toHaveLength(1);
  expect(versions[0].content).toContain('after a SEV1');
});

it('a bad front matter or an unknown control names file and line, and nothing is imported', async () => {
  const dir = join(work, 'broken');
  cpSync(POLICIES, dir, { recursive: true });
  writeFileSync(
    join(dir, 'POL-NEW.md'),
    '---\nkey: POL-NEW\ntitle: New\ntype: memo\nowner: security\naudience: everyone\n---\n\n# New\n',
  );
  const access = join(dir, 'POL-ACCESS.md');
  writeFileSync(access, readFileSync(access, 'utf8').replace('controls: [ACC-01,', 'controls: [ZZZ-01,'));
  const r = runCli(['documents', 'import', dir], env());
  expect(r.status).toBe(1);
  expect(r.stdout).toContain(
    'broken/POL-NEW.md:4: type: must be one of policy, procedure, plan, standard, work_instruction',
  );
  expect(r.stdout).toMatch(/problem\(s\) in .*broken: nothing imported/);
  writeFileSync(
    join(dir, 'POL-NEW.md'),
    '---\nkey: POL-NEW\ntitle: New\ntype: policy\nowner: security\naudience: everyone\n---\n\n# New\n',
  );
  const again = runCli(['documents', 'import', dir], env());
  expect(again.status).toBe(1);
  expect(again.stdout).toContain('broken/POL-ACCESS.md:8: ZZZ-01 is not a control in the catalog');
  expect(await sql(`SELECT 1 FROM documents WHERE key = 'POL-NEW'`)).toEqual([]);
});
