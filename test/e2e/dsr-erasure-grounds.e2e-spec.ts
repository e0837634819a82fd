// Erasure grounds and methods against the real demo patient platform (issue 12): the ground of an erasure
// (PDPA s. 33 para 1) is recorded; anonymising instead of deleting is refused when the ground is unlawful
// processing (s. 33(4), PDPC erasure notification 2024); the receipt says per table which method was used —
// deleted, anonymised, pseudonymised (a profile retained clinical rows still point at), retained with its
// basis — what remains and where, and that the subject is to be told; the data map page says the same.
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';
import { openDemoPlatform, type DemoPatient, type DemoPlatform } from '../support/demo-platform';

let t: TestApp;
let demo: DemoPlatform;
let cookie: string;
let privacy: ReturnType<typeof client>;

const erasure = (p: DemoPatient, ground: string) => ({
  right: 'erasure',
  ground,
  channel: 'email',
  subject: { name: p.first_name, email: p.email, phone: p.phone, nationalId: p.national_id },
});
const page = async (path: string) =>
  (await fetch(t.baseUrl + path, { headers: { cookie, accept: 'text/html' } })).text();

async function erased(p: DemoPatient, ground: string) {
  const created = await privacy('POST', '/api/dsr/requests', erasure(p, ground));
  expect([created.status, created.json.ground]).toEqual([201, ground]);
  await privacy('POST', `/api/dsr/requests/${created.json.id}/verify-identity`, {
    method: 'id_document',
    reference: 'ID card',
  });
  return privacy('POST', `/api/dsr/requests/${created.json.id}/erase`, { graceDays: 0 });
}

/** A demo patient with (or without) clinical rows that are retained on erasure. */
async function patientWithClinicalRows(withRows: boolean, offset = 0): Promise<DemoPatient> {
  const exists = `EXISTS (SELECT 1 FROM encounters e WHERE e.patient_id = p.id) OR EXISTS (SELECT 1 FROM consents c WHERE c.patient_id = p.id)`;
  const r = await demo.client.query<DemoPatient>(
    `SELECT id, email, phone, national_id, first_name, last_name FROM patients p WHERE email IS NOT NULL AND ${withRows ? '' : 'NOT '}(${exists}) ORDER BY id OFFSET $1 LIMIT 1`,
    [offset],
  );
  if (!r.rows[0]) throw new Error(`the demo platform has no patient ${withRows ? 'with' : 'without'} clinical rows`);
  return r.rows[0];
}

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1', DSR_DEMO_PLATFORM: '1' } });
  cookie = await login(t.baseUrl, DEMO.privacy);
  privacy = client(t.baseUrl, cookie);
  demo = await openDemoPlatform(t);
}, 120_000);
afterAll(async () => {
  await demo?.close();
  await t?.close();
});

it('calls the profile pseudonymised (retained encounters still link to it) and says what remains, where and why', async () => {
  const p = await patientWithClinicalRows(true);
  const res = await erased(p, 'no_longer_necessary');
  expect(res.json).toMatchObject({ status: 'completed', lastError: null });
  const receipt = res.json.receipt;
  expect(receipt).toMatchObject({ ground: 'no_longer_necessary', anonymisationAllowed: true, subjectToBeTold: true });
  const tables = Object.fromEntries(receipt.systems[0].tables.map((x: { table: string }) => [x.table, x]));
  expect(tables.patients).toMatchObject({
    rule: 'anonymise',
    method: 'pseudonymise',
    rows: 1,
    linkedBy: expect.arrayContaining(['encounters']),
  });
  expect(tables.appointments.method).toBe('delete');
  expect(receipt.totals.pseudonymised).toBeGreaterThanOrEqual(1);
  expect(receipt.remains.map((x: { table: string }) => x.table)).toEqual(
    expect.arrayContaining(['patients', 'encounters']),
  );
  expect(receipt.remains.find((x: { table: string }) => x.table === 'encounters')).toMatchObject({
    method: 'retain',
    basis: expect.stringContaining('s. 26(5)(a)'),
    retention: 'P10Y',
  });

  const html = await page(`/dsr/${res.json.id}`);
  expect(html).toContain('What remains of the subject');
  expect(html).toMatch(/<li data-table="patients" data-method="pseudonymise">/);
  expect(html).toContain('pseudonymous, not anonymous');
  expect(html).toContain('Tell the subject');
  // The contradiction of issue 12: "No row of the subject remains in any mapped table." under "N retained".
  expect(html).not.toContain('No row of the subject remains in any mapped table');
  // The timeline marks verification done, with its time.
  expect(html).toMatch(/<li data-step="verified" class="done"><strong>Identity verified<\/strong>/);
});

it('refuses anonymisation when the ground is unlawful processing: rows are deleted, never anonymised', async () => {
  // A platform member with a profile and a community post but no clinical rows (every seeded patient has some).
  const p = (
    await demo.client.query<DemoPatient>(
      `INSERT INTO patients (first_name, last_name, email, phone, national_id) VALUES ('Unlawful', 'Member', 'unlawful.member@example.test', '66811110000', NULL) RETURNING id, email, phone, national_id, first_name, last_name`,
    )
  ).rows[0];
  await demo.client.query(
    `INSERT INTO community_posts (patient_id, author_display_name, body, posted_at) VALUES ($1, 'Unlawful M.', 'hello', now())`,
    [p.id],
  );
  const res = await erased(p, 'unlawful_processing');
  expect(res.json).toMatchObject({ status: 'completed', lastError: null });
  const tables = Object.fromEntries(res.json.receipt.systems[0].tables.map((x: { table: string }) => [x.table, x]));
  expect(tables.patients).toMatchObject({ rule: 'delete', method: 'delete', insteadOf: 'anonymise', rows: 1 });
  expect(tables.community_posts).toMatchObject({ rule: 'delete', insteadOf: 'anonymise', rows: 1 });
  expect(res.json.receipt).toMatchObject({
    anonymisationAllowed: false,
    totals: { anonymised: 0, pseudonymised: 0 },
    subjectToBeTold: false,
  });
  expect((await demo.client.query('SELECT count(*)::int AS n FROM patients WHERE id = $1', [p.id])).rows[0].n).toBe(0);
  expect(
    (await demo.client.query('SELECT count(*)::int AS n FROM community_posts WHERE patient_id = $1', [p.id])).rows[0].n,
  ).toBe(0);
  expect(await page(`/dsr/${res.json.id}`)).toContain('not anonymised: the ground is unlawful processing');
});

it('with retained clinical rows pointing at the profile, an unlawful-processing erasure fails whole rather than anonymise', async () => {
  const p = await patientWithClinicalRows(true, 1);
  const res = await erased(p, 'unlawful_processing');
  expect(res.json).toMatchObject({
    status: 'in_progress',
    erasedAt: null,
    lastError: expect.stringContaining('patient-platform'),
  });
  // All or nothing inside the system: the profile is untouched (not anonymised), for the privacy officer to decide.
  const row = (await demo.client.query('SELECT email, first_name FROM patients WHERE id = $1', [p.id])).rows[0];
  expect(row).toMatchObject({ email: p.email, first_name: p.first_name });
});

it('the data map page calls the profile pseudonymise, naming the retained tables that keep it linked', async () => {
  const html = await page('/dsr/systems');
  const row = html.slice(html.indexOf('<tr data-table="patients"'));
  expect(row.slice(0, row.indexOf('</tr>'))).toMatch(
    /data-method="pseudonymise">pseudonymise<\/strong> <small class="pseudonymised">\(identifiers blanked, still linked to <code>encounters<\/code>/,
  );
});
