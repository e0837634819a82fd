// Weekly sweeps on the shipped catalog: opened exactly once (twice, or by two instances racing), the
// right tasks by cadence, nothing left behind by a crash mid-way, reminders once, closing with a summary.
import { Client } from 'pg';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/common/http/configure-app';
import { actorRef, systemActor } from '../../src/identity/actor';
import { NotificationsService } from '../../src/notifications/notifications.service';
import { SweepsService } from '../../src/sweeps/sweeps.service';
import { startTestApp, TestApp } from '../support/app';

let t: TestApp;
let second: NestFastifyApplication;
let sweeps: SweepsService;
let db: Client;
const job = actorRef(systemActor('test'));

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  sweeps = t.app.get(SweepsService);
  second = await createApp(t.config); // a second app instance on the same database
  await second.init();
  db = new Client({ connectionString: t.db.url });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await second?.close();
  await t?.close();
});

const count = async (sql: string, params: unknown[] = []) => Number((await db.query(sql, params)).rows[0].count);

it('two instances racing to open the same week open one sweep with one set of tasks', async () => {
  const [a, b] = await Promise.all([sweeps.openWeek('2026-W48', job), second.get(SweepsService).openWeek('2026-W48', job)]);
  expect([a.created, b.created].sort()).toEqual([false, true]);
  expect(a.tasks).toBe(b.tasks);
  expect(await count(`SELECT count(*) FROM sweeps WHERE week = '2026-W48'`)).toBe(1);
  expect(await count(`SELECT count(*) FROM sweep_tasks t JOIN sweeps s ON s.id = t.sweep_id WHERE s.week = '2026-W48'`)).toBe(a.tasks);
});

it('opening again is idempotent: same tasks, created false', async () => {
  const again = await sweeps.openWeek('2026-W48', job);
  expect(again.created).toBe(false);
  expect(again.tasks).toBe(await count(`SELECT count(*) FROM sweep_tasks t JOIN sweeps s ON s.id = t.sweep_id WHERE s.week = '2026-W48'`));
});

it('creates tasks by cadence: weekly controls every week, monthly ones in the first week of the month', async () => {
  const weekly = await count(`SELECT count(*) FROM controls WHERE cadence = 'weekly' AND retired_at IS NULL`);
  const monthly = await count(`SELECT count(*) FROM controls WHERE cadence = 'monthly' AND retired_at IS NULL`);
  expect(await count(`SELECT count(*) FROM sweep_tasks t JOIN sweeps s ON s.id = t.sweep_id WHERE s.week = '2026-W48'`)).toBe(weekly); // Monday 23 Nov
  const december = await sweeps.openWeek('2026-W50', job); // Monday 7 Dec: weekly + monthly
  expect(december.tasks).toBe(weekly + monthly);
  expect(await count(`SELECT count(*) FROM sweeps WHERE week = '2026-W48' AND status = 'closed'`)).toBe(1); // the earlier open sweep was closed first
});

it('a crash in the middle of opening leaves nothing, and the next run opens the week', async () => {
  const notifications = t.app.get(NotificationsService);
  const spy = jest.spyOn(notifications, 'enqueue').mockRejectedValueOnce(new Error('injected crash while notifying owners'));
  await expect(sweeps.openWeek('2026-W51', job)).rejects.toThrow('injected crash');
  spy.mockRestore();
  expect(await count(`SELECT count(*) FROM sweeps WHERE week = '2026-W51'`)).toBe(0);
  expect(await count(`SELECT count(*) FROM evidence WHERE source LIKE 'collector:%' AND period_start = '2026-12-14'`)).toBe(0);
  const r = await sweeps.openWeek('2026-W51', job);
  expect(r.created).toBe(true);
  expect(r.tasks).toBeGreaterThan(0);
});

it('collectors attach snapshots as evidence to the controls that name them', async () => {
  const { rows } = await db.query(
    `SELECT DISTINCT e.source FROM evidence e WHERE e.source LIKE 'collector:%' AND e.period_start = '2026-12-14'`,
  );
  expect(rows.map((r) => r.source).sort()).toEqual(expect.arrayContaining(['collector:access-review', 'collector:audit-trail-verify', 'collector:posture', 'collector:risk-review']));
});

it('reminds each owner once and escalates overdue tasks to compliance managers once', async () => {
  const due = (await db.query(`SELECT due_at FROM sweeps WHERE week = '2026-W51'`)).rows[0].due_at as Date;
  const twoDaysBefore = new Date(due.getTime() - 2 * 86_400_000 + 3_600_000);
  const first = await sweeps.remindAndEscalate(twoDaysBefore);
  expect(first.reminders).toBeGreaterThan(0);
  expect(await sweeps.remindAndEscalate(twoDaysBefore)).toEqual({ reminders: 0, escalations: 0 });
  const late = await sweeps.remindAndEscalate(new Date(due.getTime() + 60_000));
  expect(late.escalations).toBeGreaterThan(0);
  expect((await sweeps.remindAndEscalate(new Date(due.getTime() + 120_000))).escalations).toBe(0);
  expect(await count(`SELECT count(*) FROM notifications WHERE kind = 'sweep.escalation'`)).toBe(late.escalations);
});

it('closing stores the summary; closing again changes nothing', async () => {
  const closed = await sweeps.closeWeek('2026-W51', job);
  expect(closed.closed).toBe(true);
  expect(closed.summary).toMatchObject({ week: '2026-W51', completed: 0, overdue: expect.any(Number) });
  expect((await sweeps.closeWeek('2026-W51', job)).closed).toBe(false);
});
