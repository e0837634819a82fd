// PostgresConnector against a real PostgreSQL database holding the demo patient platform (3,000 synthetic
// people) and the shipped map (controls/data-systems/patient-platform.yaml): export finds one person and no
// one else, erasure is all or nothing, residue, the drill cycle (seed → export → erase → residue →
// removeSeed), an incomplete map caught by residue, check() against the live catalog, and hostile keys.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { ValidationError } from '../../src/common/errors/app-error';
import type { SeedManifest, SystemExport } from '../../src/dsr/connectors/connector';
import type { SubjectKeys } from '../../src/dsr/domain/dsr-model';
import { DataSystemConnectorError, PostgresConnector } from '../../src/dsr/connectors/postgres.connector';
import { createDemoPlatform } from '../../src/dsr/demo-platform/demo-platform';
import { demoPerson } from '../../src/dsr/demo-platform/demo-platform.sql';
import { DEMO_TABLE_NAMES } from '../../src/dsr/demo-platform/demo-platform.sql';
import { parseDataSystem, parseDataSystemYaml, PostgresSystemDefinition } from '../../src/dsr/domain/data-map';
import { createTestDatabase, TestDatabase } from '../support/database';

const MAP = parseDataSystemYaml(
  readFileSync(join(__dirname, '..', '..', 'controls', 'data-systems', 'patient-platform.yaml'), 'utf8'),
  {
    secretsSupplied: true,
  },
) as PostgresSystemDefinition;

let db: TestDatabase;
let sql: Client;
let connector: PostgresConnector;
let demoMs: number;
const extra: PostgresConnector[] = [];

function connectorFor(edit: (d: PostgresSystemDefinition) => void = () => undefined): PostgresConnector {
  const d = structuredClone(MAP);
  edit(d);
  const c = new PostgresConnector(parseDataSystem(d, { secretsSupplied: true }) as PostgresSystemDefinition, {
    url: db.url,
  });
  extra.push(c);
  return c;
}

interface Person {
  first: string;
  last: string;
  email: string | null;
  phone: string | null;
  nationalId: string | null;
}

/** A patient with one row in every related table; returns the patient id. */
async function insertPerson(p: Person): Promise<number> {
  const { rows } = await sql.query(
    `INSERT INTO patients (first_name, last_name, first_name_th, email, phone, national_id, date_of_birth) VALUES ($1, $2, 'สมชาย', $3, $4, $5, '1985-05-05') RETURNING id`,
    [p.first, p.last, p.email, p.phone, p.nationalId],
  );
  const id = Number(rows[0].id);
  await sql.query(
    `INSERT INTO appointments (patient_id, scheduled_at, clinic) VALUES ($1, now(), 'Telehealth'), ($1, now() + interval '7 days', 'Cardiology')`,
    [id],
  );
  const enc = await sql.query(
    `INSERT INTO encounters (patient_id, occurred_at, clinician) VALUES ($1, now(), 'Dr. Test') RETURNING id`,
    [id],
  );
  await sql.query(
    `INSERT INTO lab_results (encounter_id, test_code, value, unit, resulted_at) VALUES ($1, 'LDL', 2.5, 'mmol/L', now()), ($1, 'CRP', 1, 'mg/L', now())`,
    [enc.rows[0].id],
  );
  await sql.query(
    `INSERT INTO consents (patient_id, purpose, version, given_at, withdrawn_at) VALUES ($1, 'care', 1, now() - interval '1 year', now()), ($1, 'care', 2, now(), NULL)`,
    [id],
  );
  await sql.query(
    `INSERT INTO community_posts (patient_id, author_display_name, body, posted_at) VALUES ($1, $2, 'Hello from ' || $2, now())`,
    [id, `${p.first} ${p.last[0]}.`],
  );
  if (p.email)
    await sql.query(
      `INSERT INTO newsletter_subscriptions (email, topics, subscribed_at) VALUES ($1, 'health-tips', now())`,
      [p.email],
    );
  return id;
}

/** Every row of the person in every table, straight from SQL (the ground truth the connector is checked against). */
async function rowsOf(
  patientId: number,
  email: string | null,
): Promise<Record<string, Array<Record<string, unknown>>>> {
  const q = async (text: string, params: unknown[]) => (await sql.query(text, params)).rows;
  return {
    patients: await q('SELECT * FROM patients WHERE id = $1', [patientId]),
    appointments: await q('SELECT * FROM appointments WHERE patient_id = $1 ORDER BY id', [patientId]),
    encounters: await q('SELECT * FROM encounters WHERE patient_id = $1 ORDER BY id', [patientId]),
    lab_results: await q(
      'SELECT l.* FROM lab_results l JOIN encounters e ON e.id = l.encounter_id WHERE e.patient_id = $1 ORDER BY l.id',
      [patientId],
    ),
    consents: await q('SELECT * FROM consents WHERE patient_id = $1 ORDER BY id', [patientId]),
    community_posts: await q('SELECT * FROM community_posts WHERE patient_id = $1 ORDER BY id', [patientId]),
    newsletter_subscriptions: await q('SELECT * FROM newsletter_subscriptions WHERE email = $1 ORDER BY id', [email]),
  };
}

const idsByTable = (exp: SystemExport) =>
  Object.fromEntries(exp.tables.map((t) => [t.table, t.rows.map((r) => String(r.id))]));
const idsOf = (rows: Record<string, Array<Record<string, unknown>>>) =>
  Object.fromEntries(Object.entries(rows).map(([t, rs]) => [t, rs.map((r) => String(r.id))]));

async function tableCounts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of DEMO_TABLE_NAMES) out[t] = Number((await sql.query(`SELECT count(*) AS n FROM ${t}`)).rows[0].n);
  return out;
}

beforeAll(async () => {
  db = await createTestDatabase({ migrated: false });
  const t0 = performance.now();
  const first = await createDemoPlatform(db.url);
  demoMs = performance.now() - t0;
  expect(first).toEqual({ created: true, seeded: true, patients: 3000 });
  sql = new Client({ connectionString: db.url });
  await sql.connect();
  connector = new PostgresConnector(MAP, { url: db.url });
});
afterAll(async () => {
  await connector?.close();
  for (const c of extra) await c.close();
  await sql?.end();
  await db?.drop();
});

describe('the demo platform', () => {
  it('seeds 3,000 people with related rows in every table, deterministically and quickly', async () => {
    const counts = await tableCounts();
    expect(counts).toEqual({
      patients: 3000,
      appointments: 3750,
      encounters: 3750,
      lab_results: 3750,
      consents: 3750,
      community_posts: 750,
      newsletter_subscriptions: 900,
    });
    const p = (
      await sql.query(
        'SELECT first_name, last_name, first_name_th, email, phone, national_id, date_of_birth::text FROM patients WHERE id = 42',
      )
    ).rows[0];
    expect(p).toEqual({
      first_name: 'Malee',
      last_name: 'Wongsawat',
      first_name_th: 'มาลี',
      email: 'malee.wongsawat.42@patients.demo.example',
      phone: '66800000042',
      national_id: '1100000000423',
      date_of_birth: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });
    // Thai national ids carry a valid check digit.
    const ids = (await sql.query('SELECT national_id FROM patients ORDER BY id LIMIT 50')).rows.map(
      (r) => r.national_id as string,
    );
    for (const id of ids) {
      const sum = [...id.slice(0, 12)].reduce((s, d, i) => s + Number(d) * (13 - i), 0);
      expect((11 - (sum % 11)) % 10).toBe(Number(id[12]));
    }
    // Well under 2 s on a developer machine; the bound here leaves room for a loaded CI runner.
    expect(demoMs).toBeLessThan(10_000);
  });

  it('names its people as the pages do (demoPerson mirrors the seeding)', async () => {
    for (const id of [1, 42, 419, 3000]) {
      const row = (
        await sql.query(
          `SELECT first_name || ' ' || last_name AS name, first_name_th || ' ' || last_name_th AS "nameTh", email, phone
             FROM patients WHERE id = $1`,
          [id],
        )
      ).rows[0];
      expect(demoPerson(id)).toEqual(row);
    }
  });

  it('is idempotent: a second call neither creates nor seeds', async () => {
    expect(await createDemoPlatform(db.url, { people: 50 })).toEqual({ created: false, seeded: false, patients: 3000 });
  });
});

describe('check()', () => {
  it('accepts the shipped map on the demo platform', async () => {
    await expect(connector.check()).resolves.toBeUndefined();
  });

  it('rejects identifiers the database does not have, naming each field', async () => {
    const bad = connectorFor((d) => {
      d.postgres.tables[0].export.push('middle_name');
      (d.postgres.tables[1].find.join as { parentColumn: string }).parentColumn = 'patient_no';
      d.postgres.tables[6].table = 'newsletter_subscribers';
      d.postgres.drill!.seed[0].values.nickname = '{{name}}';
      d.postgres.drill!.seed[2].values.patient_id = '{{patient.uuid}}';
      d.postgres.tables[5].erase = { rule: 'anonymise', set: { author: 'x' } };
      d.postgres.drill!.seed.push({ table: 'archive.patients', values: { id: 1 } });
    });
    const error = await bad.check().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe('dsr.data_map_invalid');
    expect((error as ValidationError).errors).toEqual(
      expect.arrayContaining([
        { field: 'postgres.tables[0].export[11]', message: 'column "middle_name" does not exist in table "patients"' },
        {
          field: 'postgres.tables[1].find.join.parentColumn',
          message: 'column "patient_no" does not exist in table "patients"',
        },
        { field: 'postgres.tables[6].table', message: 'table "newsletter_subscribers" does not exist' },
        {
          field: 'postgres.tables[5].erase.set.author',
          message: 'column "author" does not exist in table "community_posts"',
        },
        {
          field: 'postgres.drill.seed[0].values.nickname',
          message: 'column "nickname" does not exist in table "patients"',
        },
        {
          field: 'postgres.drill.seed[2].values.patient_id',
          message: 'column "uuid" does not exist in table "patients"',
        },
        { field: 'postgres.drill.seed[7].table', message: 'table "archive.patients" does not exist' },
      ]),
    );
    expect((error as ValidationError).errors).toHaveLength(7);
    // Nothing runs on a map that failed its check.
    await expect(bad.export({ email: 'a@b.c', phone: null, nationalId: null })).rejects.toBeInstanceOf(ValidationError);
  });

  it('reports a database it cannot reach at postgres.url', async () => {
    const down = new PostgresConnector(MAP, { url: 'postgres://nobody:x@127.0.0.1:1/none', connectTimeoutMs: 2000 });
    try {
      // One text whatever the cause (refused here), so a URL cannot probe internal ports; the cause is logged.
      await expect(down.check()).rejects.toMatchObject({
        errors: [{ field: 'postgres.url', message: 'could not reach the database' }],
      });
    } finally {
      await down.close();
    }
  });
});

describe('one subject among similar people', () => {
  const A: Person = {
    first: 'Somchai',
    last: 'Jaidee',
    email: 'somchai.jaidee@example.com',
    phone: '66812345678',
    nationalId: '3100600000011',
  };
  // Same names, an e-mail that extends A's, a phone sharing A's first ten digits, a national id one digit apart.
  const B: Person = {
    first: 'Somchai',
    last: 'Jaidee',
    email: 'somchai.jaidee@example.com.au',
    phone: '66812345670',
    nationalId: '3100600000012',
  };
  const keysOf = (p: Person): SubjectKeys => ({ email: p.email, phone: p.phone, nationalId: p.nationalId });
  let a: number;
  let b: number;

  beforeAll(async () => {
    a = await insertPerson(A);
    b = await insertPerson(B);
  });

  it('export finds exactly the subject rows in every table, by any one key or all of them, and nothing of the other person', async () => {
    const truth = idsOf(await rowsOf(a, A.email));
    const other = Object.values(idsOf(await rowsOf(b, B.email))).flat();
    expect(Object.values(truth).every((ids) => ids.length > 0)).toBe(true);
    const all = await connector.export(keysOf(A));
    expect(idsByTable(all)).toEqual(truth);
    for (const t of all.tables) for (const r of t.rows) expect(other).not.toContain(`${t.table}:${r.id}`);
    expect(all.tables.flatMap((t) => t.rows).some((r) => r.email === B.email || r.phone === B.phone)).toBe(false);
    // Only by phone or only by national id: everything reached through the patient (the newsletter is found by e-mail only).
    const viaPatient = { ...truth, newsletter_subscriptions: [] };
    expect(idsByTable(await connector.export({ email: null, phone: A.phone, nationalId: null }))).toEqual(viaPatient);
    expect(idsByTable(await connector.export({ email: null, phone: null, nationalId: A.nationalId }))).toEqual(
      viaPatient,
    );
    expect(idsByTable(await connector.export({ email: A.email, phone: null, nationalId: null }))).toEqual(truth);
  });

  it('exports the mapped columns in map order, with dates as text', async () => {
    const exp = await connector.export(keysOf(A));
    expect(exp.system).toBe('patient-platform');
    expect(exp.tables.map((t) => t.table)).toEqual(MAP.postgres.tables.map((t) => t.table));
    const patients = exp.tables[0];
    expect(patients.columns).toEqual(MAP.postgres.tables[0].export);
    expect(Object.keys(patients.rows[0])).toEqual(patients.columns);
    expect(patients.rows[0]).toMatchObject({
      first_name: 'Somchai',
      first_name_th: 'สมชาย',
      date_of_birth: '1985-05-05',
      processing_restricted: false,
    });
    expect(patients.rows[0].created_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d+\+00$/);
  });

  it('a key nobody has finds nothing; keys of a generated person find that person', async () => {
    const none = await connector.export({
      email: 'nobody@nowhere.example',
      phone: '66000000000',
      nationalId: '0000000000000',
    });
    expect(none.tables.every((t) => t.rows.length === 0)).toBe(true);
    const p = (await sql.query('SELECT id, email, phone, national_id FROM patients WHERE id = 1000')).rows[0];
    const exp = await connector.export({ email: p.email, phone: p.phone, nationalId: p.national_id });
    expect(idsByTable(exp)).toEqual(idsOf(await rowsOf(1000, p.email)));
  });

  it('restrict and rectify act through the map, on the subject only, in one transaction', async () => {
    expect(await connector.update(keysOf(A), { kind: 'restrict' })).toEqual([{ table: 'patients', rows: 1 }]);
    expect(await connector.update(keysOf(A), { kind: 'rectify', changes: { last_name: 'Jaidee-Srisuk' } })).toEqual([
      { table: 'patients', rows: 1 },
    ]);
    const rows = (
      await sql.query('SELECT id, last_name, processing_restricted FROM patients WHERE id = ANY ($1) ORDER BY id', [
        [a, b],
      ])
    ).rows;
    expect(rows).toEqual([
      { id: String(a), last_name: 'Jaidee-Srisuk', processing_restricted: true },
      { id: String(b), last_name: 'Jaidee', processing_restricted: false },
    ]);
    await expect(connector.update(keysOf(A), { kind: 'rectify', changes: { national_id: '1' } })).rejects.toMatchObject(
      {
        code: 'dsr.rectification_not_mapped',
        errors: [
          {
            field: 'changes.national_id',
            message: 'no table of patient-platform lets a rectification set "national_id"',
          },
        ],
      },
    );
    const noUpdates = connectorFor((d) => d.postgres.tables.forEach((t) => (delete t.rectify, delete t.restrict)));
    expect(await noUpdates.update(keysOf(A), { kind: 'restrict' })).toBeNull();
    expect(await noUpdates.update(keysOf(A), { kind: 'rectify', changes: { last_name: 'x' } })).toBeNull();
  });

  it('erasure is all or nothing: a failure in the last table leaves every table as it was', async () => {
    const before = await rowsOf(a, A.email);
    const counts = await tableCounts();
    // Patients are anonymised last (children first). The trigger fails that last statement, and its message
    // shows the earlier statements of the same transaction had already deleted and anonymised rows.
    await sql.query(`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM appointments WHERE patient_id = OLD.id) THEN RAISE EXCEPTION 'appointments not deleted yet'; END IF;
        IF EXISTS (SELECT 1 FROM newsletter_subscriptions WHERE email = OLD.email) THEN RAISE EXCEPTION 'subscription not deleted yet'; END IF;
        IF EXISTS (SELECT 1 FROM community_posts WHERE patient_id = OLD.id AND author_display_name <> 'Former member') THEN RAISE EXCEPTION 'posts not anonymised yet'; END IF;
        RAISE EXCEPTION 'patients are frozen';
      END $$`);
    await sql.query(`CREATE TRIGGER frozen BEFORE UPDATE ON patients FOR EACH ROW EXECUTE FUNCTION refuse()`);
    try {
      const error = await connector.erase(keysOf(A)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DataSystemConnectorError);
      expect(error).toMatchObject({
        system: 'patient-platform',
        operation: 'erase',
        table: 'patients',
        sqlState: 'P0001',
      });
      expect((error as Error).message).toBe(
        'patient-platform: erase failed at table "patients": patients are frozen (SQLSTATE P0001)',
      );
    } finally {
      await sql.query('DROP TRIGGER frozen ON patients; DROP FUNCTION refuse()');
    }
    expect(await rowsOf(a, A.email)).toEqual(before);
    expect(await tableCounts()).toEqual(counts);
  });

  it('erasure deletes, anonymises and retains as mapped; the other person is untouched; residue is zero outside retained tables', async () => {
    const before = await rowsOf(a, A.email);
    const otherBefore = await rowsOf(b, B.email);
    const erased = await connector.erase(keysOf(A));
    expect(erased).toEqual([
      { table: 'patients', rule: 'anonymise', rows: 1 },
      { table: 'appointments', rule: 'delete', rows: 2 },
      {
        table: 'encounters',
        rule: 'retain',
        rows: 1,
        basis: expect.stringContaining('Medical records'),
        retention: 'P10Y',
      },
      {
        table: 'lab_results',
        rule: 'retain',
        rows: 2,
        basis: expect.stringContaining('Medical records'),
        retention: 'P10Y',
      },
      {
        table: 'consents',
        rule: 'retain',
        rows: 2,
        basis: expect.stringContaining('Proof of consent'),
        retention: 'P10Y',
      },
      { table: 'community_posts', rule: 'anonymise', rows: 1 },
      { table: 'newsletter_subscriptions', rule: 'delete', rows: 1 },
    ]);
    const after = await rowsOf(a, A.email);
    expect(after.appointments).toEqual([]);
    expect(after.newsletter_subscriptions).toEqual([]);
    expect(after.patients).toEqual([
      {
        ...before.patients[0],
        first_name: '[erased]',
        last_name: '[erased]',
        first_name_th: null,
        last_name_th: null,
        email: null,
        phone: null,
        national_id: null,
        date_of_birth: null,
      },
    ]);
    expect(after.community_posts).toEqual([
      { ...before.community_posts[0], author_display_name: 'Former member', body: "[removed at the author's request]" },
    ]);
    expect(after.encounters).toEqual(before.encounters);
    expect(after.lab_results).toEqual(before.lab_results);
    expect(after.consents).toEqual(before.consents);
    expect(await rowsOf(b, B.email)).toEqual(otherBefore);

    // The subject's identifiers no longer reach any row: the retained medical and consent records remain,
    // linked only to the anonymised profile (erase's report above is what counts them).
    const residue = await connector.residue(keysOf(A));
    expect(residue.filter((r) => !r.retained)).toEqual(
      ['patients', 'appointments', 'community_posts', 'newsletter_subscriptions'].map((table) => ({
        table,
        rows: 0,
        retained: false,
      })),
    );
    expect(residue.filter((r) => r.retained).map((r) => r.table)).toEqual(['encounters', 'lab_results', 'consents']);
    expect(residue.filter((r) => r.retained).every((r) => r.basis && r.basis.length > 10)).toBe(true);
    // A second erasure finds nothing left to do.
    expect((await connector.erase(keysOf(A))).map((e) => e.rows)).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('residue before erasure finds the subject in every table (it is not blind)', async () => {
    const residue = await connector.residue(keysOf(B));
    expect(residue.map((r) => [r.table, r.rows])).toEqual([
      ['patients', 1],
      ['appointments', 2],
      ['encounters', 1],
      ['lab_results', 2],
      ['consents', 2],
      ['community_posts', 1],
      ['newsletter_subscriptions', 1],
    ]);
  });
});

describe('drill cycle', () => {
  const keys: SubjectKeys = {
    email: 'drill.0001@drill.attest.invalid',
    phone: '66990000001',
    nationalId: '9990000000016',
  };

  /** Seeded rows that the export does not contain, by table and primary key. */
  function missingFromExport(seed: SeedManifest, exp: SystemExport): string[] {
    return seed.rows
      .filter((row) => {
        const t = exp.tables.find((x) => x.table === row.table);
        return !t?.rows.some((r) => Object.entries(row.key).every(([c, v]) => String(r[c]) === v));
      })
      .map((row) => `${row.table}:${JSON.stringify(row.key)}`);
  }

  async function present(seed: SeedManifest): Promise<string[]> {
    const out: string[] = [];
    for (const row of seed.rows)
      if ((await sql.query(`SELECT 1 FROM ${row.table} WHERE id = $1`, [row.key.id])).rowCount) out.push(row.table);
    return out;
  }

  it('seed → export has every seeded row → erase → zero residue outside retained tables → removeSeed leaves nothing', async () => {
    const counts = await tableCounts();
    const seed = (await connector.seed(keys))!;
    expect(seed.system).toBe('patient-platform');
    expect(seed.rows.map((r) => r.table)).toEqual(MAP.postgres.drill!.seed.map((s) => s.table));
    const patient = seed.rows[0];
    expect(patient.values).toMatchObject({
      email: keys.email,
      phone: keys.phone,
      national_id: keys.nationalId,
      first_name: expect.stringMatching(/^Drill Subject [0-9a-f]{8}$/),
    });
    expect(seed.rows[1].values.patient_id).toBe(patient.key.id);
    expect(seed.rows[3].values.encounter_id).toBe(seed.rows[2].key.id);
    expect(seed.rows[5].values.body).toBe(`Drill post by ${patient.values.first_name} (${keys.email})`);

    const exp = await connector.export(keys);
    expect(missingFromExport(seed, exp)).toEqual([]);
    expect(exp.tables.map((t) => t.rows.length)).toEqual([1, 1, 1, 1, 1, 1, 1]);

    await connector.erase(keys);
    const residue = await connector.residue(keys, seed);
    expect(residue).toEqual([
      { table: 'patients', rows: 0, retained: false },
      { table: 'appointments', rows: 0, retained: false },
      { table: 'encounters', rows: 1, retained: true, basis: expect.any(String) },
      { table: 'lab_results', rows: 1, retained: true, basis: expect.any(String) },
      { table: 'consents', rows: 1, retained: true, basis: expect.any(String) },
      { table: 'community_posts', rows: 0, retained: false },
      { table: 'newsletter_subscriptions', rows: 0, retained: false },
    ]);

    // Anonymised and retained rows are still there until the drill removes them.
    expect(await present(seed)).toEqual(['patients', 'encounters', 'lab_results', 'consents', 'community_posts']);
    expect(await connector.removeSeed(seed)).toBe(5);
    expect(await present(seed)).toEqual([]);
    expect(await connector.removeSeed(seed)).toBe(0);
    expect(await tableCounts()).toEqual(counts);
  });

  it('residue with the seed flags an anonymised row that still holds the subject in a column the map forgot', async () => {
    // A map whose anonymisation of posts forgets the body, which the seed filled with the subject's e-mail.
    const leaky = connectorFor(
      (d) => (d.postgres.tables[5].erase = { rule: 'anonymise', set: { author_display_name: 'Former member' } }),
    );
    const k = { ...keys, email: 'drill.0002@drill.attest.invalid', phone: '66990000002', nationalId: '9990000000024' };
    const seed = (await leaky.seed(k))!;
    await leaky.erase(k);
    const residue = await leaky.residue(k, seed);
    expect(residue.find((r) => r.table === 'community_posts')).toEqual({
      table: 'community_posts',
      rows: 1,
      retained: false,
    });
    expect(await leaky.removeSeed(seed)).toBe(5);
  });

  it('a map that misses a table fails the residue check naming that table', async () => {
    const incomplete = connectorFor(
      (d) => (d.postgres.tables = d.postgres.tables.filter((t) => t.table !== 'newsletter_subscriptions')),
    );
    const k = { ...keys, email: 'drill.0003@drill.attest.invalid', phone: '66990000003', nationalId: '9990000000032' };
    const seed = (await incomplete.seed(k))!;
    expect(seed.rows.map((r) => r.table)).toContain('newsletter_subscriptions');
    const exp = await incomplete.export(k);
    expect(missingFromExport(seed, exp)).toEqual([`newsletter_subscriptions:${JSON.stringify(seed.rows[6].key)}`]);
    await incomplete.erase(k);
    const residue = await incomplete.residue(k, seed);
    expect(residue.filter((r) => !r.retained && r.rows > 0)).toEqual([
      { table: 'newsletter_subscriptions', rows: 1, retained: false },
    ]);
    expect(await incomplete.removeSeed(seed)).toBe(6);
    expect(
      (await sql.query('SELECT count(*)::int AS n FROM newsletter_subscriptions WHERE email = $1', [k.email])).rows[0]
        .n,
    ).toBe(0);
  });

  it('seeding is all or nothing, and a forged manifest is refused before any SQL', async () => {
    const counts = await tableCounts();
    // The newsletter e-mail is unique: seeding the same subject twice fails at the last row.
    const k = { ...keys, email: 'drill.0004@drill.attest.invalid' };
    const first = (await connector.seed(k))!;
    await expect(connector.seed(k)).rejects.toMatchObject({
      operation: 'seed',
      table: 'newsletter_subscriptions',
      sqlState: '23505',
    });
    expect(await connector.removeSeed(first)).toBe(7);
    expect(await tableCounts()).toEqual(counts);

    await expect(
      connector.removeSeed({
        system: 'patient-platform',
        rows: [{ table: 'pg_authid', key: { oid: '10' }, values: {} }],
      }),
    ).rejects.toMatchObject({
      code: 'dsr.seed_manifest_invalid',
      errors: [{ field: 'seed.rows[0].table', message: '"pg_authid" is not a table this map seeds' }],
    });
    await expect(
      connector.removeSeed({
        system: 'patient-platform',
        rows: [{ table: 'patients', key: { 'id" = id OR "id': '1' }, values: {} }],
      }),
    ).rejects.toMatchObject({
      errors: [{ field: 'seed.rows[0].key', message: 'must give the primary key (id)' }],
    });
  });
});

describe('hostile keys and values', () => {
  const INJECTION = `'; DROP TABLE patients; --`;
  const THAI = 'สมหญิง.ใจดี@ตัวอย่าง.ไทย';
  const LONG = 'x'.repeat(10_000);
  const QUOTES = `o'brien"; SELECT pg_sleep(10); -- \\ $1 $$`;
  /** Records the SQL text of every statement any pg client sends until stopped. */
  function captureSql(): { texts: string[]; stop(): void } {
    const texts: string[] = [];
    const real = Client.prototype.query;
    const spy = jest.spyOn(Client.prototype, 'query').mockImplementation(function (this: Client, ...args: unknown[]) {
      const first = args[0];
      texts.push(typeof first === 'string' ? first : ((first as { text?: string } | undefined)?.text ?? ''));
      return (real as (...a: unknown[]) => unknown).apply(this, args);
    } as never);
    return { texts, stop: () => spy.mockRestore() };
  }

  function expectNoValueInSql(texts: string[], ...values: string[]) {
    expect(texts.length).toBeGreaterThan(5);
    for (const text of texts) for (const v of values) expect(text).not.toContain(v.slice(0, 20));
  }

  it('finds nothing, breaks nothing, and never puts the keys into SQL text', async () => {
    const sqlText = captureSql();
    try {
      for (const keys of [
        { email: INJECTION, phone: INJECTION, nationalId: INJECTION },
        { email: THAI, phone: '๐๘๑๒๓๔๕๖๗๘', nationalId: null },
        { email: LONG, phone: LONG, nationalId: LONG },
        { email: QUOTES, phone: null, nationalId: null },
      ]) {
        const exp = await connector.export(keys);
        expect(exp.tables.every((t) => t.rows.length === 0)).toBe(true);
        expect((await connector.erase(keys)).every((e) => e.rows === 0)).toBe(true);
        expect((await connector.residue(keys)).every((r) => r.rows === 0)).toBe(true);
      }
    } finally {
      sqlText.stop();
    }
    expectNoValueInSql(sqlText.texts, INJECTION, THAI, LONG, QUOTES);
    expect((await sql.query('SELECT count(*)::int AS n FROM patients')).rows[0].n).toBeGreaterThanOrEqual(3000);
  });

  it('finds, rectifies and erases a person whose identifiers are hostile text, exactly', async () => {
    const id = await insertPerson({
      first: 'Hostile',
      last: 'Keys',
      email: INJECTION,
      phone: QUOTES,
      nationalId: THAI,
    });
    // A look-alike: one character more in every key.
    await insertPerson({
      first: 'Hostile',
      last: 'Keys',
      email: `${INJECTION} `,
      phone: `${QUOTES}x`,
      nationalId: `${THAI}.`,
    });
    const longThai = 'ใจดี'.repeat(2_500);
    const sqlText = captureSql();
    try {
      for (const keys of [
        { email: INJECTION, phone: null, nationalId: null },
        { email: null, phone: QUOTES, nationalId: null },
        { email: null, phone: null, nationalId: THAI },
      ]) {
        const exp = await connector.export(keys);
        expect(exp.tables[0].rows.map((r) => r.id)).toEqual([String(id)]);
        expect(exp.tables[0].rows[0]).toMatchObject({ email: INJECTION, phone: QUOTES, national_id: THAI });
      }
      // Values written by rectification travel as parameters too, and arrive intact.
      expect(
        await connector.update(
          { email: INJECTION, phone: null, nationalId: null },
          { kind: 'rectify', changes: { first_name: QUOTES, last_name: longThai } },
        ),
      ).toEqual([{ table: 'patients', rows: 1 }]);
      expect((await sql.query('SELECT first_name, last_name FROM patients WHERE id = $1', [id])).rows[0]).toEqual({
        first_name: QUOTES,
        last_name: longThai,
      });
      const erased = await connector.erase({ email: INJECTION, phone: QUOTES, nationalId: THAI });
      expect(erased[0]).toEqual({ table: 'patients', rule: 'anonymise', rows: 1 });
    } finally {
      sqlText.stop();
    }
    expectNoValueInSql(
      sqlText.texts.filter((t) => !t.startsWith('SELECT first_name, last_name FROM patients')),
      INJECTION,
      QUOTES,
      THAI,
      longThai,
    );
    expect((await sql.query('SELECT first_name, last_name, email FROM patients WHERE id = $1', [id])).rows[0]).toEqual({
      first_name: '[erased]',
      last_name: '[erased]',
      email: null,
    });
    expect(
      (
        await sql.query('SELECT count(*)::int AS n FROM patients WHERE email = $1 AND first_name = $2', [
          `${INJECTION} `,
          'Hostile',
        ])
      ).rows[0].n,
    ).toBe(1);
  });

  it('keeps subject keys out of error messages', async () => {
    await sql.query(
      `CREATE FUNCTION leak() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'cannot touch %', OLD.email; END $$`,
    );
    await sql.query(
      `CREATE TRIGGER leak BEFORE DELETE ON newsletter_subscriptions FOR EACH ROW EXECUTE FUNCTION leak()`,
    );
    try {
      const email = 'reader.20@mail.demo.example';
      const error = (await connector.erase({ email, phone: null, nationalId: null }).catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(DataSystemConnectorError);
      expect(error.message).toBe(
        'patient-platform: erase failed at table "newsletter_subscriptions": cannot touch [subject] (SQLSTATE P0001)',
      );
    } finally {
      await sql.query('DROP TRIGGER leak ON newsletter_subscriptions; DROP FUNCTION leak()');
    }
  });
});

it('requires at least one key', async () => {
  await expect(connector.export({ email: null, phone: null, nationalId: '' })).rejects.toMatchObject({
    code: 'dsr.subject_keys_missing',
  });
});
