// Incident reminders and escalations (what the incident-alerts job calls) against PostgreSQL: a reminder
// when a clock is due soon, once however often the job runs; an escalation at the deadline to the
// compliance managers and admins; the clock's owners (privacy officers for PDPA clocks, clinical control
// owners for Thai FDA ones); a moved deadline told again; a SEV1 told to compliance and admins in the
// request that reports or raises it; a closed incident's severity clocks stopped, its legal clocks still told.
import { Client } from 'pg';
import { IncidentAlertsService } from '../../src/incidents/incident-alerts.service';
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';

type Who = 'admin' | 'compliance' | 'owner' | 'owner2' | 'privacy';
let t: TestApp;
let alerts: IncidentAlertsService;
let db: Client;
let as: Record<Who, ReturnType<typeof client>>;
const ids = {} as Record<Who, string>;

const HOUR = 3_600_000;
const ago = (h: number) => new Date(Date.now() - h * HOUR).toISOString();
const report = async (extra: Record<string, unknown>) => {
  const res = await as.compliance('POST', '/api/incidents', {
    title: 'Test incident',
    description: 'For the alerts test.',
    severity: 'SEV3',
    categories: ['availability'],
    ...extra,
  });
  expect(res.status).toBe(201);
  return res.json as { id: string; ref: string; clocks: { key: string; dueAt: string; state: string }[] };
};
const notificationsOf = async (incidentId: string) =>
  (
    await db.query(
      `SELECT recipient_user_id AS "to", kind, dedupe_key AS key, subject, body, link FROM notifications
        WHERE dedupe_key LIKE $1 ORDER BY kind, recipient_user_id`,
      [`incident:${incidentId}:%`],
    )
  ).rows as { to: string; kind: string; key: string; subject: string; body: string; link: string }[];
const recipients = (rows: { to: string; kind: string }[], kind: string) =>
  rows
    .filter((r) => r.kind === kind)
    .map((r) => r.to)
    .sort();
const sorted = (...xs: string[]) => [...xs].sort();

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1', INCIDENT_ALERT_CRON: 'off' } });
  alerts = t.app.get(IncidentAlertsService);
  db = new Client({ connectionString: t.db.url });
  await db.connect();
  as = {} as typeof as;
  for (const who of ['admin', 'compliance', 'owner', 'owner2', 'privacy'] as const) {
    as[who] = client(t.baseUrl, await login(t.baseUrl, DEMO[who]));
    ids[who] = (await as[who]('GET', '/api/me')).json.id;
  }
});
afterAll(async () => {
  await db?.end();
  await t?.close();
});

describe('clock reminders and escalations', () => {
  it('reminds once when a clock is due soon, however often the job runs, then escalates at the deadline', async () => {
    // SEV3: acknowledged within 24 h of the report; reminders go out 1 h before a deadline.
    const inc = await report({ title: 'Queue backlog' });
    const ack = inc.clocks.find((c) => c.key === 'acknowledge')!;
    const due = new Date(ack.dueAt);
    const at = (ms: number) => new Date(due.getTime() + ms);

    expect(await alerts.remindAndEscalate(at(-2 * HOUR))).toEqual({ reminders: 0, escalations: 0 });
    expect(await notificationsOf(inc.id)).toEqual([]);
    const first = await alerts.remindAndEscalate(at(-HOUR / 2));
    expect(first.reminders).toBeGreaterThanOrEqual(1);
    expect(await alerts.remindAndEscalate(at(-HOUR / 2 + 60_000))).toEqual({ reminders: 0, escalations: 0 });
    let rows = await notificationsOf(inc.id);
    // No commander: the compliance managers answer a severity clock.
    expect(recipients(rows, 'incident.reminder')).toEqual([ids.compliance]);
    expect(recipients(rows, 'incident.escalation')).toEqual([]);
    const reminder = rows.find((r) => r.kind === 'incident.reminder')!;
    expect(reminder.key).toBe(`incident:${inc.id}:acknowledge:remind:${due.toISOString()}:${ids.compliance}`);
    expect(reminder.subject).toContain(inc.ref);
    expect(reminder.subject).toContain('Acknowledged');
    expect(reminder.body).toContain('(Asia/Bangkok)');
    expect(reminder.link).toBe(`/incidents/${inc.id}`);

    // Just before the deadline: still only the reminder; just after it: the escalation, once.
    expect(await alerts.remindAndEscalate(at(-1000))).toMatchObject({ escalations: 0 });
    expect((await alerts.remindAndEscalate(at(1000))).escalations).toBe(2);
    expect((await alerts.remindAndEscalate(at(60_000))).escalations).toBe(0);
    rows = await notificationsOf(inc.id);
    expect(recipients(rows, 'incident.escalation')).toEqual(sorted(ids.compliance, ids.admin));
    expect(rows.find((r) => r.kind === 'incident.escalation')!.subject).toMatch(/^Overdue: INC-\d{4} "Acknowledged"/);
  });

  it("tells the commander and the clock's owners: the PDPA Office notice goes to the privacy officers", async () => {
    // Personal data, aware 71.5 h ago: the 72 h notice to the Office is due in 30 minutes.
    const inc = await report({
      severity: 'SEV4',
      categories: ['personal_data_breach'],
      detectedAt: ago(71.5),
      awareAt: ago(71.5),
      title: 'Letters to an old address',
    });
    expect((await as.compliance('PATCH', `/api/incidents/${inc.id}`, { commanderUserId: ids.owner })).status).toBe(200);
    await alerts.remindAndEscalate();
    let rows = await notificationsOf(inc.id);
    const office = rows.filter((r) => r.key.includes(':breach_office:remind:'));
    expect(office.map((r) => r.to).sort()).toEqual(sorted(ids.owner, ids.privacy));
    expect(office[0].subject).toContain('Breach notified to the PDPC Office');
    // Once overdue: the commander, the privacy officers, the compliance managers and admins.
    await alerts.remindAndEscalate(new Date(Date.now() + HOUR));
    rows = await notificationsOf(inc.id);
    const overdue = rows.filter((r) => r.key.includes(':breach_office:overdue:'));
    expect(overdue.map((r) => r.to).sort()).toEqual(sorted(ids.owner, ids.privacy, ids.compliance, ids.admin));
    expect(rows.filter((r) => r.to === ids.owner2)).toEqual([]);
  });

  it('sends nothing for a closed incident, even long past its deadlines', async () => {
    const inc = await report({ severity: 'SEV4', detectedAt: ago(1), awareAt: ago(1), title: 'False alarm' });
    expect((await as.compliance('PATCH', `/api/incidents/${inc.id}`, { status: 'closed' })).status).toBe(200);
    await alerts.remindAndEscalate(new Date(Date.now() + 30 * 24 * HOUR));
    expect(await notificationsOf(inc.id)).toEqual([]);
  });

  it('still escalates a legal clock of a closed incident: closing does not notify the PDPC Office', async () => {
    const inc = await report({
      severity: 'SEV4',
      categories: ['personal_data_breach'],
      detectedAt: ago(80),
      awareAt: ago(80),
      title: 'Closed before the Office was told',
    });
    expect((await as.compliance('PATCH', `/api/incidents/${inc.id}`, { status: 'closed' })).status).toBe(200);
    await alerts.remindAndEscalate();
    await alerts.remindAndEscalate(new Date(Date.now() + 60_000));
    const rows = await notificationsOf(inc.id);
    // Only the Office clock (closing acknowledged it, so no severity clock is owed).
    expect(rows.map((r) => r.key.split(':').slice(2, 4).join(':'))).toEqual(Array(3).fill('breach_office:overdue'));
    expect(recipients(rows, 'incident.escalation')).toEqual(sorted(ids.privacy, ids.compliance, ids.admin));
    const clocks = (await as.compliance('GET', `/api/incidents/${inc.id}`)).json.clocks;
    expect(clocks.find((c: { key: string }) => c.key === 'acknowledge').state).toBe('met');
    expect(clocks.find((c: { key: string }) => c.key === 'breach_office').state).toBe('overdue');
  });
});

describe('Thai FDA clocks', () => {
  // owner2 is the clinical control owner, owner an engineering one; the privacy officer answers PDPA clocks only.
  it('reminds the commander and the clinical owners of an adverse-event report, then escalates it', async () => {
    // Serious threat to public health, aware 47.5 h ago: the 48 h report to the Thai FDA is due in 30 minutes.
    const inc = await report({
      severity: 'SEV4',
      categories: ['clinical_safety'],
      adverseEventCategory: 'serious_public_health_threat',
      detectedAt: ago(47.5),
      awareAt: ago(47.5),
      title: 'Infusion pump over-delivery',
    });
    expect((await as.compliance('PATCH', `/api/incidents/${inc.id}`, { commanderUserId: ids.owner })).status).toBe(200);
    const due = inc.clocks.find((c) => c.key === 'adverse_event_report')!.dueAt;

    expect(await alerts.remindAndEscalate()).toEqual({ reminders: 2, escalations: 0 });
    expect(await alerts.remindAndEscalate()).toEqual({ reminders: 0, escalations: 0 });
    let rows = await notificationsOf(inc.id);
    expect(rows).toHaveLength(2);
    expect(recipients(rows, 'incident.reminder')).toEqual(sorted(ids.owner, ids.owner2));
    expect(rows.every((r) => r.key.startsWith(`incident:${inc.id}:adverse_event_report:remind:${due}:`))).toBe(true);
    expect(rows[0].subject).toContain('Adverse event reported to the Thai FDA');

    // Once overdue: the commander, the clinical owners, the compliance managers and admins; never the privacy officer.
    expect(await alerts.remindAndEscalate(new Date(Date.now() + HOUR))).toEqual({ reminders: 0, escalations: 4 });
    expect(await alerts.remindAndEscalate(new Date(Date.now() + 2 * HOUR))).toEqual({ reminders: 0, escalations: 0 });
    rows = await notificationsOf(inc.id);
    expect(rows).toHaveLength(6);
    expect(recipients(rows, 'incident.escalation')).toEqual(sorted(ids.owner, ids.owner2, ids.compliance, ids.admin));
    expect(
      rows.filter((r) => r.kind === 'incident.escalation').every((r) => r.key.includes(':adverse_event_report:')),
    ).toBe(true);
    expect(rows.filter((r) => r.to === ids.privacy)).toEqual([]);
  });

  it('reminds the clinical owners of the report owed once a field safety corrective action starts', async () => {
    const inc = await report({
      severity: 'SEV4',
      categories: ['clinical_safety'],
      detectedAt: ago(48),
      awareAt: ago(48),
      title: 'Recall of a glucose meter batch',
    });
    await alerts.remindAndEscalate();
    expect(await notificationsOf(inc.id)).toEqual([]);
    // Started 47.5 h ago, no commander: the 48 h FSCA report is due in 30 minutes.
    expect((await as.compliance('PATCH', `/api/incidents/${inc.id}`, { fscaStartedAt: ago(47.5) })).status).toBe(200);

    expect(await alerts.remindAndEscalate()).toEqual({ reminders: 1, escalations: 0 });
    let rows = await notificationsOf(inc.id);
    expect(rows).toHaveLength(1);
    expect(recipients(rows, 'incident.reminder')).toEqual([ids.owner2]);
    expect(rows[0].key).toContain(':fsca_report:remind:');
    expect(rows[0].subject).toContain('Field safety corrective action reported');

    expect(await alerts.remindAndEscalate(new Date(Date.now() + HOUR))).toEqual({ reminders: 0, escalations: 3 });
    rows = await notificationsOf(inc.id);
    expect(recipients(rows, 'incident.escalation')).toEqual(sorted(ids.owner2, ids.compliance, ids.admin));
    expect(rows.filter((r) => r.to === ids.privacy || r.to === ids.owner)).toEqual([]);
  });

  it('reminds again, once, when a correction moves the deadline', async () => {
    const inc = await report({
      severity: 'SEV4',
      categories: ['clinical_safety'],
      adverseEventCategory: 'serious_public_health_threat',
      detectedAt: ago(48),
      awareAt: ago(47.75),
      title: 'Ventilator alarm silent',
    });
    const dueOf = async () =>
      ((await as.compliance('GET', `/api/incidents/${inc.id}`)).json as typeof inc).clocks.find(
        (c) => c.key === 'adverse_event_report',
      )!.dueAt;
    const first = await dueOf();
    expect(await alerts.remindAndEscalate()).toEqual({ reminders: 1, escalations: 0 });

    // The company became aware 15 minutes later than first recorded: the report is due 15 minutes later.
    expect((await as.compliance('PATCH', `/api/incidents/${inc.id}`, { awareAt: ago(47.5) })).status).toBe(200);
    const moved = await dueOf();
    expect(new Date(moved).getTime()).toBeGreaterThan(new Date(first).getTime());
    expect(await alerts.remindAndEscalate()).toEqual({ reminders: 1, escalations: 0 });
    expect(await alerts.remindAndEscalate()).toEqual({ reminders: 0, escalations: 0 });
    const rows = await notificationsOf(inc.id);
    const key = (due: string) => `incident:${inc.id}:adverse_event_report:remind:${due}:${ids.owner2}`;
    expect(rows.map((r) => r.key).sort()).toEqual([key(first), key(moved)]);
    expect(recipients(rows, 'incident.reminder')).toEqual([ids.owner2, ids.owner2]);
    // The new reminder states the new deadline.
    expect(rows.find((r) => r.key === key(moved))!.subject).not.toBe(rows.find((r) => r.key === key(first))!.subject);

    // The escalation follows the deadline as it is now, once.
    expect(await alerts.remindAndEscalate(new Date(Date.now() + HOUR))).toEqual({ reminders: 0, escalations: 3 });
    expect(await alerts.remindAndEscalate(new Date(Date.now() + HOUR))).toEqual({ reminders: 0, escalations: 0 });
    expect(recipients(await notificationsOf(inc.id), 'incident.escalation')).toEqual(
      sorted(ids.owner2, ids.compliance, ids.admin),
    );
  });
});

describe('SEV1', () => {
  it('tells compliance managers and admins in the same request that reports it', async () => {
    const inc = await report({ severity: 'SEV1', title: 'Production database down' });
    const rows = await notificationsOf(inc.id);
    expect(recipients(rows, 'incident.sev1')).toEqual(sorted(ids.compliance, ids.admin));
    expect(rows[0]).toMatchObject({ key: `incident:${inc.id}:sev1:${rows[0].to}`, link: `/incidents/${inc.id}` });
    expect(rows[0].subject).toBe(`${inc.ref} is SEV1: Production database down`);
  });

  it('tells them when an incident is raised to SEV1, and not again on a second raise', async () => {
    const inc = await report({ severity: 'SEV2', title: 'Slow logins' });
    expect(recipients(await notificationsOf(inc.id), 'incident.sev1')).toEqual([]);
    const raise = (severity: string) =>
      as.compliance('PATCH', `/api/incidents/${inc.id}`, { severity, severityReason: 'customer impact grew' });
    expect((await raise('SEV1')).status).toBe(200);
    expect(recipients(await notificationsOf(inc.id), 'incident.sev1')).toEqual(sorted(ids.compliance, ids.admin));
    expect((await raise('SEV2')).status).toBe(200);
    expect((await raise('SEV1')).status).toBe(200);
    expect(recipients(await notificationsOf(inc.id), 'incident.sev1')).toEqual(sorted(ids.compliance, ids.admin));
  });
});
