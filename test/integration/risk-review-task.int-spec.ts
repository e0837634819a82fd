// The quarterly ISO 14971 review task (what the risk-review job calls): who is told, once per quarter and
// person, the overdue reminder when the last quarter had no review, and one audit-trail entry per raise.
import { Client } from 'pg';
import { RiskReviewsService } from '../../src/risks/risk-reviews.service';
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';

let t: TestApp;
let risks: RiskReviewsService;
let db: Client;
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  risks = t.app.get(RiskReviewsService);
  db = new Client({ connectionString: t.db.url });
  await db.connect();
  const compliance = client(t.baseUrl, await login(t.baseUrl, DEMO.compliance));
  for (const who of ['admin', 'compliance', 'owner', 'owner2', 'privacy'] as const)
    ids[who] = (await client(t.baseUrl, await login(t.baseUrl, DEMO[who]))('GET', '/api/me')).json.id;
  const hazard = (ref: string, ownerUserId: string, status = 'open') => ({
    register: 'iso14971',
    ref,
    product: 'p',
    title: 't',
    hazard: 'h',
    hazardousSituation: 's',
    harm: 'x',
    severity: 'S2',
    probability: 'remote',
    ownerUserId,
    status,
  });
  for (const [ref, owner, status] of [
    ['HAZ-1', ids.privacy, 'open'],
    ['HAZ-2', ids.compliance, 'controlled'],
    ['HAZ-3', ids.admin, 'closed'],
  ] as const) {
    expect((await compliance('POST', '/api/risks', hazard(ref, owner, status))).status).toBe(201);
  }
  // A security risk's owner is not an ISO 14971 risk owner.
  expect(
    (
      await compliance('POST', '/api/risks', {
        register: 'security',
        ref: 'SEC-1',
        product: 'p',
        title: 't',
        severity: 'I2',
        probability: 'L2',
        ownerUserId: ids.owner,
      })
    ).status,
  ).toBe(201);
});
afterAll(async () => {
  await db?.end();
  await t?.close();
});

const notifications = async (kind: string) =>
  (
    await db.query(`SELECT recipient_user_id, dedupe_key FROM notifications WHERE kind = $1 ORDER BY dedupe_key`, [
      kind,
    ])
  ).rows as { recipient_user_id: string; dedupe_key: string }[];
const clinicalUsers = async () =>
  (
    await db.query(
      `SELECT u.id FROM users u JOIN departments d ON d.id = u.department_id WHERE d.key = 'clinical' AND u.active`,
    )
  ).rows.map((r) => r.id as string);
const tasks = async () =>
  (
    await db.query(
      `SELECT (canonical::jsonb)->'data' AS data FROM audit_log WHERE action = 'risk.review_task' ORDER BY seq`,
    )
  ).rows.map((r) => r.data);
const review = (at: string) =>
  db.query(
    `INSERT INTO risk_reviews (register, reviewer_user_id, reviewed_at, notes, snapshot) VALUES ('iso14971', $1, $2, 'review', '{}')`,
    [ids.owner2, at],
  );

it('tells the owners of open ISO 14971 risks and the clinical department, once: due this quarter, overdue for the last', async () => {
  const clinical = await clinicalUsers();
  expect(clinical).toContain(ids.owner2);
  const expected = [...new Set([ids.privacy, ids.compliance, ...clinical])].sort();
  // 1 July 2026, 09:00 in Bangkok: the first day of 2026-Q3; nobody reviewed in 2026-Q2.
  const r = await risks.raiseQuarterlyReview(new Date('2026-07-01T02:00:00Z'));
  expect(r).toEqual({ quarter: '2026-Q3', due: expected.length, overdue: expected.length });
  const due = await notifications('risk.review_due');
  expect(due.map((n) => n.recipient_user_id).sort()).toEqual(expected);
  expect(due.every((n) => n.dedupe_key.startsWith('risk-review:iso14971:2026-Q3:due:'))).toBe(true);
  const overdue = await notifications('risk.review_overdue');
  expect(overdue.map((n) => n.recipient_user_id).sort()).toEqual(expected);
  expect(overdue.every((n) => n.dedupe_key.startsWith('risk-review:iso14971:2026-Q2:overdue:'))).toBe(true);
  for (const left of [ids.admin, ids.owner]) expect(expected).not.toContain(left); // owner of a closed risk only; security risk owner
  expect(await tasks()).toEqual([
    {
      register: 'iso14971',
      quarter: '2026-Q3',
      due: expected.length,
      overdue: expected.length,
      overdueQuarter: '2026-Q2',
    },
  ]);
});

it('is idempotent: running again (or later in the quarter) raises nothing and writes no audit entry', async () => {
  expect(await risks.raiseQuarterlyReview(new Date('2026-07-01T02:00:00Z'))).toEqual({
    quarter: '2026-Q3',
    due: 0,
    overdue: 0,
  });
  expect(await risks.raiseQuarterlyReview(new Date('2026-08-20T10:00:00Z'))).toEqual({
    quarter: '2026-Q3',
    due: 0,
    overdue: 0,
  });
  expect(await tasks()).toHaveLength(1);
});

it('sends no overdue reminder when the last quarter had a review, and no due notice once this quarter is reviewed', async () => {
  await review('2026-09-30T16:59:00Z'); // 23:59 on 30 September in Bangkok: still 2026-Q3
  const q4 = await risks.raiseQuarterlyReview(new Date('2026-10-01T02:00:00Z'));
  expect(q4.overdue).toBe(0);
  expect(q4.due).toBeGreaterThan(0);
  expect((await notifications('risk.review_overdue')).some((n) => n.dedupe_key.includes('2026-Q3'))).toBe(false);

  await review('2026-12-31T17:30:00Z'); // 00:30 on 1 January 2027 in Bangkok: 2027-Q1, so 2026-Q4 had none
  const q1 = await risks.raiseQuarterlyReview(new Date('2027-01-02T02:00:00Z'));
  expect(q1).toEqual({ quarter: '2027-Q1', due: 0, overdue: q4.due });
  expect((await tasks()).map((d) => [d.quarter, d.overdueQuarter])).toEqual([
    ['2026-Q3', '2026-Q2'],
    ['2026-Q4', null],
    ['2027-Q1', '2026-Q4'],
  ]);
});
