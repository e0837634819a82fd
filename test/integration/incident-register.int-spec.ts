// The `incident-register` collector against PostgreSQL: the weekly snapshot (counts, open incidents with
// their clocks, clocks met in the week, CAPAs open and overdue, closed incidents with their review; no
// titles, people or subjects), and the sweep attaching it to the controls that name it.
import { Client } from 'pg';
import { actorRef, systemActor } from '../../src/authz/actor';
import { IncidentRegisterService } from '../../src/incidents/incident-register.service';
import { SweepLifecycleService } from '../../src/sweeps/sweep-lifecycle.service';
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';

let t: TestApp;
let db: Client;
let register: IncidentRegisterService;
let as: Record<'compliance' | 'privacy' | 'owner', ReturnType<typeof client>>;
let ownerId: string;
const HOUR = 3_600_000;
const ago = (h: number) => new Date(Date.now() - h * HOUR).toISOString();

const report = async (extra: Record<string, unknown>) => {
  const res = await as.compliance('POST', '/api/incidents', {
    title: 'Secret title of Somchai',
    description: 'Names in here: Somchai',
    severity: 'SEV3',
    categories: ['availability'],
    ...extra,
  });
  expect(res.status).toBe(201);
  return res.json as { id: string; ref: string };
};

const ids: Record<'breach' | 'outage' | 'closed', { id: string; ref: string }> = {} as never;

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  register = t.app.get(IncidentRegisterService);
  db = new Client({ connectionString: t.db.url });
  await db.connect();
  as = {
    compliance: client(t.baseUrl, await login(t.baseUrl, DEMO.compliance)),
    privacy: client(t.baseUrl, await login(t.baseUrl, DEMO.privacy)),
    owner: client(t.baseUrl, await login(t.baseUrl, DEMO.owner)),
  };
  ownerId = (await as.owner('GET', '/api/me')).json.id;
  // A breach whose Office notice went out in time this week, with an overdue CAPA.
  ids.breach = await report({
    severity: 'SEV2',
    categories: ['personal_data_breach', 'security'],
    detectedAt: ago(10),
    awareAt: ago(10),
  });
  const notice = await as.privacy('POST', `/api/incidents/${ids.breach.id}/notifications`, {
    kind: 'pdpc_office',
    sentAt: ago(2),
    channel: 'PDPC e-service',
  });
  expect(notice.status).toBe(201);
  const capa = await as.compliance('POST', `/api/incidents/${ids.breach.id}/capas`, {
    title: 'Fix for Somchai',
    ownerUserId: ownerId,
    dueOn: '2099-01-01',
  });
  expect(capa.status).toBe(201);
  await db.query(`UPDATE incident_capas SET due_on = '2020-01-01' WHERE incident_id = $1`, [ids.breach.id]);
  ids.outage = await report({ severity: 'SEV3' });
  // A SEV4 closed this week with its review.
  ids.closed = await report({ severity: 'SEV4' });
  expect(
    (
      await as.compliance('POST', `/api/incidents/${ids.closed.id}/review`, {
        cause: 'Expired certificate',
        wentWell: 'Quick rollback',
        toChange: 'Alert 30 days before expiry',
      })
    ).status,
  ).toBe(201);
  expect((await as.compliance('PATCH', `/api/incidents/${ids.closed.id}`, { status: 'closed' })).status).toBe(200);
});
afterAll(async () => {
  await db?.end();
  await t?.close();
});

it('snapshots the week: counts, open incidents with clocks, clocks met, CAPAs, closed incidents with their review', async () => {
  const snap = (await register.registerSnapshot(new Date(Date.now() - 7 * 24 * HOUR), new Date())) as Record<
    string,
    any
  >;
  expect(snap.counts.bySeverity).toEqual({
    SEV2: { open: 1, closed: 0 },
    SEV3: { open: 1, closed: 0 },
    SEV4: { open: 0, closed: 1 },
  });
  expect(snap.counts.byCategory).toEqual({
    availability: { open: 1, closed: 1 },
    personal_data_breach: { open: 1, closed: 0 },
    security: { open: 1, closed: 0 },
  });
  expect(snap.open.map((i: { ref: string }) => i.ref).sort()).toEqual([ids.breach.ref, ids.outage.ref].sort());
  const breach = snap.open.find((i: { ref: string }) => i.ref === ids.breach.ref);
  expect(breach).toMatchObject({
    severity: 'SEV2',
    status: 'detect',
    categories: ['personal_data_breach', 'security'],
  });
  expect(breach.clocks.find((c: { key: string }) => c.key === 'breach_office')).toMatchObject({ state: 'met' });
  expect(breach.clocks.find((c: { key: string }) => c.key === 'acknowledge')).toMatchObject({ state: 'running' });
  // The Office notice in time; the closed incident was acknowledged by moving on from detection.
  expect(snap.clocksMetOrMissed).toHaveLength(2);
  expect(snap.clocksMetOrMissed).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ incident: ids.breach.ref, clock: 'breach_office', state: 'met' }),
      expect.objectContaining({ incident: ids.closed.ref, clock: 'acknowledge', state: 'met' }),
    ]),
  );
  expect(snap.capas).toEqual({
    open: 1,
    overdue: 1,
    overdueItems: [{ incident: ids.breach.ref, dueOn: '2020-01-01' }],
  });
  expect(snap.closed).toEqual([
    expect.objectContaining({
      ref: ids.closed.ref,
      severity: 'SEV4',
      review: expect.objectContaining({ cause: 'Expired certificate', toChange: 'Alert 30 days before expiry' }),
    }),
  ]);
  // No titles, descriptions, people: nothing typed about Somchai, no user id.
  const text = JSON.stringify(snap);
  expect(text).not.toContain('Somchai');
  expect(text).not.toContain(ownerId);
});

it('leaves out incidents closed before the week', async () => {
  const later = await register.registerSnapshot(new Date(Date.now() + HOUR), new Date(Date.now() + 2 * HOUR));
  expect((later.closed as unknown[]).length).toBe(0);
  expect((later.open as unknown[]).length).toBe(2);
});

it('the sweep attaches the snapshot to the controls naming the collector (SOC 2 CC7.x, PDPA s37(4), Thai FDA vigilance)', async () => {
  await t.app.get(SweepLifecycleService).openWeek('2026-W49', actorRef(systemActor('test')), new Date());
  const { rows } = await db.query(
    `SELECT DISTINCT c.key FROM evidence e JOIN evidence_controls ec ON ec.evidence_id = e.id
       JOIN controls c ON c.id = ec.control_id WHERE e.source = 'collector:incident-register' ORDER BY c.key`,
  );
  expect(rows.map((r) => r.key)).toEqual(['CLS-07', 'INC-02', 'INC-03']);
});

it('lists every incident for `attest incident list`, page after page (no cut-off)', async () => {
  const all = await register.list({});
  expect(all.length).toBeGreaterThanOrEqual(3);
  for (const pageSize of [1, 2, all.length])
    expect((await register.list({}, new Date(), pageSize)).map((i) => i.ref)).toEqual(all.map((i) => i.ref));
  const open = await register.list({ open: true });
  expect((await register.list({ open: true }, new Date(), 1)).map((i) => i.ref)).toEqual(open.map((i) => i.ref));
  expect(open.map((i) => i.ref)).not.toContain(ids.closed.ref);
});
