// Engagement scope on every auditor read, over HTTP: an auditor with a SOC 2-only engagement for 2025 reads
// the security register (each risk as it stood at the end of 2025, with its history up to then), never the
// ISO 14971 register (404); sweeps of weeks touching 2025 only (404 for this week's), and in them the tasks
// of SOC 2 controls only; SOC 2's posture only; DSRs received and drills run in 2025 only. Rows are created
// through the API, then dated into or out of the period in the database (the API stamps them "now").
import { Client } from 'pg';
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';

let t: TestApp;
let db: Client;
let as: Record<'admin' | 'compliance' | 'privacy' | 'auditor', ReturnType<typeof client>>;
let soc2Keys: Set<string>;
const ids = {} as Record<
  'securityThen' | 'securityNow' | 'iso' | 'dsrThen' | 'dsrNow' | 'drillThen' | 'drillNow' | 'reviewThen' | 'reviewIso',
  string
>;
const PERIOD = { from: '2025-01-01', to: '2025-12-31' };
const THEN = '2025-05-01T10:00:00+07:00';
let thisWeek: string;

async function risk(body: Record<string, unknown>): Promise<string> {
  const res = await as.compliance('POST', '/api/risks', body);
  if (res.status !== 201) throw new Error(`creating ${String(body.ref)}: ${res.status} ${res.text}`);
  return res.json.id;
}
/** The risk, its first version and its creation moved into the period (the API dates them now). */
async function backdate(riskId: string): Promise<void> {
  await db.query(`UPDATE risks SET created_at = $2 WHERE id = $1`, [riskId, THEN]);
  await db.query(`UPDATE risk_versions SET at = $2 WHERE risk_id = $1 AND version = 1`, [riskId, THEN]);
}

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  db = new Client({ connectionString: t.db.url });
  await db.connect();
  const admin = client(t.baseUrl, await login(t.baseUrl, DEMO.admin));
  const created = await admin('POST', '/api/users', {
    email: 'soc2-auditor@audit.test',
    name: 'Sam Scope',
    role: 'auditor',
  });
  expect(created.status).toBe(201);
  as = {
    admin,
    compliance: client(t.baseUrl, await login(t.baseUrl, DEMO.compliance)),
    privacy: client(t.baseUrl, await login(t.baseUrl, DEMO.privacy)),
    auditor: client(t.baseUrl, await login(t.baseUrl, 'soc2-auditor@audit.test', created.json.oneTimePassword)),
  };
  const opened = await as.compliance('POST', '/api/engagements', {
    auditorUserId: created.json.user.id,
    frameworks: ['soc2'],
    ...PERIOD,
    expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
  });
  expect(opened.status).toBe(201);
  const controls = (await as.compliance('GET', '/api/controls?limit=200')).json.items as {
    key: string;
    requirements: { framework: string }[];
  }[];
  soc2Keys = new Set(controls.filter((c) => c.requirements.some((r) => r.framework === 'soc2')).map((c) => c.key));

  // Levels from the matrix as served (their names are the matrix's, not this test's).
  const scale = async (register: string) => {
    const res = await as.compliance('GET', `/api/risks/heatmap?register=${register}`);
    if (res.status !== 200) throw new Error(`heat map of ${register}: ${res.status} ${res.text}`);
    return res.json as { severity: { level: string }[]; probability: { level: string }[] };
  };
  const [iso, sec] = [await scale('iso14971'), await scale('security')];
  const security = (ref: string, title: string) => ({
    register: 'security',
    ref,
    product: 'scope',
    title,
    severity: sec.severity[1].level,
    probability: sec.probability[1].level,
  });
  ids.securityThen = await risk(security('SEC-901', 'Token leak, as assessed in 2025'));
  await backdate(ids.securityThen);
  const changed = await as.compliance('PATCH', `/api/risks/${ids.securityThen}`, {
    title: 'Token leak, reassessed after the period',
    version: 1,
  });
  expect(changed.json.version).toBe(2);
  ids.securityNow = await risk(security('SEC-902', 'Created after the period'));
  ids.iso = await risk({
    register: 'iso14971',
    ref: 'HAZ-901',
    product: 'scope',
    title: 'Wrong triage',
    hazard: 'h',
    sequenceOfEvents: 's',
    hazardousSituation: 'hs',
    harm: 'harm',
    severity: iso.severity[1].level,
    probability: iso.probability[1].level,
  });
  await backdate(ids.iso);

  const dsr = async () =>
    (
      await as.privacy('POST', '/api/dsr/requests', {
        right: 'access',
        channel: 'email',
        subject: { name: 'Scope Subject', email: 'scope@patient.test' },
      })
    ).json.id as string;
  ids.dsrThen = await dsr();
  await db.query(`UPDATE dsr_requests SET received_at = $2 WHERE id = $1`, [ids.dsrThen, THEN]);
  ids.dsrNow = await dsr();
  ids.drillThen = (
    await db.query(
      `INSERT INTO dsr_drills (trigger, started_at, finished_at, passed) VALUES ('cli', $1, $1, true) RETURNING id`,
      [THEN],
    )
  ).rows[0].id;
  ids.drillNow = (
    await db.query(
      `INSERT INTO dsr_drills (trigger, started_at, finished_at, passed) VALUES ('cli', now(), now(), true) RETURNING id`,
    )
  ).rows[0].id;
  const review = async (register: string, at: string) =>
    (
      await db.query(
        `INSERT INTO risk_reviews (register, reviewer_user_id, reviewed_at, notes, snapshot) VALUES ($1, $2, $3, 'n', '{}') RETURNING id`,
        [register, created.json.user.id, at],
      )
    ).rows[0].id;
  ids.reviewThen = await review('security', THEN);
  await review('security', new Date().toISOString());
  ids.reviewIso = await review('iso14971', THEN);

  thisWeek = (await as.compliance('POST', '/api/sweeps', {})).json.week;
  expect((await as.compliance('POST', '/api/sweeps', { week: '2025-W10' })).status).toBe(200);
}, 180_000);
afterAll(async () => {
  await db?.end();
  await t?.close();
});

describe('a SOC 2-only auditor, engagement period 2025', () => {
  it('gets 404 for an ISO 14971 risk, on the API and the page, and never lists the ISO 14971 register', async () => {
    expect((await as.auditor('GET', `/api/risks/${ids.iso}`)).status).toBe(404);
    expect((await as.auditor('GET', `/api/risks/${ids.iso}/history`)).status).toBe(404);
    expect((await as.auditor('GET', `/risks/${ids.iso}`)).status).toBe(404);
    const all = await as.auditor('GET', '/api/risks?limit=200');
    expect(all.status).toBe(200);
    expect(all.json.items.map((r: { register: string }) => r.register)).not.toContain('iso14971');
    expect((await as.auditor('GET', '/api/risks?register=iso14971')).json.total).toBe(0);
    expect((await as.auditor('GET', '/api/risks/traceability?register=iso14971')).json.total).toBe(0);
    expect((await as.auditor('GET', '/api/risks/heatmap?register=iso14971')).json.total).toBe(0);
    expect((await as.auditor('GET', '/api/risks/reviews?register=iso14971')).json.total).toBe(0);
    const csv = await as.auditor('GET', '/api/risks/export');
    expect(csv.text).not.toContain('HAZ-901');
  });

  it('sees the security register: each risk as it stood at the period end, with its history up to then', async () => {
    const list = await as.auditor('GET', '/api/risks?register=security&limit=200');
    expect(list.status).toBe(200);
    const refs = list.json.items.map((r: { ref: string }) => r.ref);
    expect(refs).toContain('SEC-901');
    expect(refs).not.toContain('SEC-902'); // created after the period
    const shown = await as.auditor('GET', `/api/risks/${ids.securityThen}`);
    expect(shown.status).toBe(200);
    expect(shown.json).toMatchObject({ register: 'security', title: 'Token leak, as assessed in 2025', version: 1 });
    const history = await as.auditor('GET', `/api/risks/${ids.securityThen}/history`);
    expect(history.json.map((v: { version: number }) => v.version)).toEqual([1]);
    // Staff see it as it is now.
    expect((await as.compliance('GET', `/api/risks/${ids.securityThen}`)).json).toMatchObject({
      title: 'Token leak, reassessed after the period',
      version: 2,
    });
    expect((await as.auditor('GET', `/api/risks/${ids.securityNow}`)).status).toBe(404);
    const page = await as.auditor('GET', '/risks?register=security');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Token leak, as assessed in 2025');
    expect(page.text).not.toContain('reassessed after the period');
    expect((await as.auditor('GET', '/api/risks/export?register=security')).text).not.toContain(
      'reassessed after the period',
    );
    expect(
      (await as.auditor('GET', '/api/risks/reviews?register=security')).json.items.map((r: { id: string }) => r.id),
    ).toEqual([ids.reviewThen]);
  });

  it('gets 404 for a sweep outside the period; in one inside, only the tasks of SOC 2 controls', async () => {
    expect((await as.auditor('GET', `/api/sweeps/${thisWeek}`)).status).toBe(404);
    expect((await as.auditor('GET', `/api/sweeps/${thisWeek}/tasks`)).status).toBe(404);
    expect((await as.auditor('GET', '/api/sweeps/current')).json.week).toBe('2025-W10');
    const sweep = await as.auditor('GET', '/api/sweeps/2025-W10');
    expect(sweep.status).toBe(200);
    const tasks = await as.auditor('GET', '/api/sweeps/2025-W10/tasks?limit=200');
    expect(tasks.status).toBe(200);
    const everything = (await as.compliance('GET', '/api/sweeps/2025-W10/tasks?limit=200')).json.items as {
      controlKey: string;
    }[];
    const expected = everything
      .filter((x) => soc2Keys.has(x.controlKey))
      .map((x) => x.controlKey)
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(tasks.json.items.map((x: { controlKey: string }) => x.controlKey).sort()).toEqual(expected);
    expect(sweep.json.tasks).toBe(expected.length); // progress counts the tasks in scope only
  });

  it('reads the posture of SOC 2 only', async () => {
    const posture = await as.auditor('GET', '/api/posture');
    expect(posture.json.items.map((p: { framework: string }) => p.framework)).toEqual(['soc2']);
  });

  it('reads DSRs received and drills run within the period only; 404 for the others', async () => {
    const list = await as.auditor('GET', '/api/dsr/requests?limit=200');
    expect(list.json.items.map((r: { id: string }) => r.id)).toEqual([ids.dsrThen]);
    expect((await as.auditor('GET', `/api/dsr/requests/${ids.dsrThen}`)).status).toBe(200);
    expect((await as.auditor('GET', `/api/dsr/requests/${ids.dsrNow}`)).status).toBe(404);
    const drills = await as.auditor('GET', '/api/dsr/drills?limit=200');
    expect(drills.json.items.map((d: { id: string }) => d.id)).toEqual([ids.drillThen]);
    expect((await as.auditor('GET', `/api/dsr/drills/${ids.drillThen}`)).status).toBe(200);
    expect((await as.auditor('GET', `/api/dsr/drills/${ids.drillNow}`)).status).toBe(404);
    expect((await as.compliance('GET', `/api/dsr/drills/${ids.drillNow}`)).status).toBe(200);
  });
});
