// Weekly sweeps on the shipped catalog: opened exactly once (twice, or by two instances racing), the
// right tasks by cadence, nothing left behind by a crash mid-way, reminders once, closing with a summary.
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/configure-app';
import { actorRef, systemActor, type UserActor } from '../../src/authz/actor';
import { NotificationsService } from '../../src/notifications/notifications.service';
import { SweepLifecycleService } from '../../src/sweeps/sweep-lifecycle.service';
import { SweepPostureService } from '../../src/sweeps/sweep-posture.service';
import { SweepRemindersService } from '../../src/sweeps/sweep-reminders.service';
import { SweepTasksService } from '../../src/sweeps/sweep-tasks.service';
import { SweepsService } from '../../src/sweeps/sweeps.service';
import { type ProgressRow, SweepsRepository } from '../../src/sweeps/sweeps.repository';
import { abilityFor } from '../../src/authz/ability.factory';
import { startTestApp, TestApp } from '../support/app';

let t: TestApp;
let second: NestFastifyApplication;
let sweeps: SweepsService;
let lifecycle: SweepLifecycleService;
let sweepTasks: SweepTasksService;
let reminders: SweepRemindersService;
let sweepPosture: SweepPostureService;
let db: Client;
const job = actorRef(systemActor('test'));

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  sweeps = t.app.get(SweepsService);
  lifecycle = t.app.get(SweepLifecycleService);
  sweepTasks = t.app.get(SweepTasksService);
  reminders = t.app.get(SweepRemindersService);
  sweepPosture = t.app.get(SweepPostureService);
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
/** Monday 09:00 Asia/Bangkok of an ISO week: when the schedule opens it. */
const mondayMorning = (week: string) =>
  ({
    '2026-W48': new Date('2026-11-23T02:00:00Z'),
    '2026-W50': new Date('2026-12-07T02:00:00Z'),
    '2026-W51': new Date('2026-12-14T02:00:00Z'),
  })[week]!;

it('two instances racing to open the same week open one sweep with one set of tasks', async () => {
  const at = mondayMorning('2026-W48');
  const [a, b] = await Promise.all([
    lifecycle.openWeek('2026-W48', job, at),
    second.get(SweepLifecycleService).openWeek('2026-W48', job, at),
  ]);
  expect([a.created, b.created].sort()).toEqual([false, true]);
  expect(a.tasks).toBe(b.tasks);
  expect(await count(`SELECT count(*) FROM sweeps WHERE week = '2026-W48'`)).toBe(1);
  expect(
    await count(`SELECT count(*) FROM sweep_tasks t JOIN sweeps s ON s.id = t.sweep_id WHERE s.week = '2026-W48'`),
  ).toBe(a.tasks);
});

it('opening again is idempotent: same tasks, created false', async () => {
  const again = await lifecycle.openWeek('2026-W48', job, mondayMorning('2026-W48'));
  expect(again.created).toBe(false);
  expect(again.tasks).toBe(
    await count(`SELECT count(*) FROM sweep_tasks t JOIN sweeps s ON s.id = t.sweep_id WHERE s.week = '2026-W48'`),
  );
});

it('creates tasks by cadence: weekly controls every week, monthly ones in the first week of the month', async () => {
  const weekly = await count(`SELECT count(*) FROM controls WHERE cadence = 'weekly' AND retired_at IS NULL`);
  const monthly = await count(`SELECT count(*) FROM controls WHERE cadence = 'monthly' AND retired_at IS NULL`);
  expect(
    await count(`SELECT count(*) FROM sweep_tasks t JOIN sweeps s ON s.id = t.sweep_id WHERE s.week = '2026-W48'`),
  ).toBe(weekly); // Monday 23 Nov
  const december = await lifecycle.openWeek('2026-W50', job, mondayMorning('2026-W50')); // Monday 7 Dec: weekly + monthly
  expect(december.tasks).toBe(weekly + monthly);
  expect(await count(`SELECT count(*) FROM sweeps WHERE week = '2026-W48' AND status = 'closed'`)).toBe(1); // the earlier open sweep was closed first
});

it('a crash in the middle of opening leaves nothing, and the next run opens the week', async () => {
  const notifications = t.app.get(NotificationsService);
  const spy = jest
    .spyOn(notifications, 'enqueue')
    .mockRejectedValueOnce(new Error('injected crash while notifying owners'));
  await expect(lifecycle.openWeek('2026-W51', job, mondayMorning('2026-W51'))).rejects.toThrow('injected crash');
  spy.mockRestore();
  expect(await count(`SELECT count(*) FROM sweeps WHERE week = '2026-W51'`)).toBe(0);
  expect(
    await count(`SELECT count(*) FROM evidence WHERE source LIKE 'collector:%' AND period_start = '2026-12-14'`),
  ).toBe(0);
  const r = await lifecycle.openWeek('2026-W51', job, mondayMorning('2026-W51'));
  expect(r.created).toBe(true);
  expect(r.tasks).toBeGreaterThan(0);
});

it('collectors attach snapshots as evidence to the controls that name them', async () => {
  const { rows } = await db.query(
    `SELECT DISTINCT e.source FROM evidence e WHERE e.source LIKE 'collector:%' AND e.period_start = '2026-12-14'`,
  );
  expect(rows.map((r) => r.source).sort()).toEqual(
    expect.arrayContaining([
      'collector:access-review',
      'collector:audit-trail-verify',
      'collector:posture',
      'collector:risk-review',
    ]),
  );
});

it('reminds each owner once and escalates overdue tasks to compliance managers once', async () => {
  const due = (await db.query(`SELECT due_at FROM sweeps WHERE week = '2026-W51'`)).rows[0].due_at as Date;
  const twoDaysBefore = new Date(due.getTime() - 2 * 86_400_000 + 3_600_000);
  const first = await reminders.remindAndEscalate(twoDaysBefore);
  expect(first.reminders).toBeGreaterThan(0);
  expect(await reminders.remindAndEscalate(twoDaysBefore)).toEqual({ reminders: 0, escalations: 0 });
  const late = await reminders.remindAndEscalate(new Date(due.getTime() + 60_000));
  expect(late.escalations).toBeGreaterThan(0);
  expect((await reminders.remindAndEscalate(new Date(due.getTime() + 120_000))).escalations).toBe(0);
  expect(await count(`SELECT count(*) FROM notifications WHERE kind = 'sweep.escalation'`)).toBe(late.escalations);
});

it('closing stores the summary; closing again changes nothing', async () => {
  const closed = await lifecycle.closeWeek('2026-W51', job, new Date('2026-12-21T01:00:00Z'));
  expect(closed.closed).toBe(true);
  expect(closed.summary).toMatchObject({ week: '2026-W51', completed: 0, overdue: expect.any(Number) });
  expect(closed.summary!.overdue).toBe(closed.summary!.tasks); // closed after the due time with nothing done
  expect((await lifecycle.closeWeek('2026-W51', job)).closed).toBe(false);
});

// Week 2027-W09: Monday 1 March – Sunday 7 March 2027, nominally due Friday 5 March 18:00 ICT. The
// catch-up at start opens it on Saturday 6 March 09:00 ICT, after its nominal due time.
describe('a sweep opened after its own due time', () => {
  const openedAt = new Date('2027-03-06T02:00:00Z'); // Saturday 09:00 ICT
  const fairDue = new Date('2027-03-08T11:00:00Z'); // Monday 18:00 ICT, the next working day
  let compliance: UserActor;
  let owner: UserActor;
  let controlIds: string[];
  let tasks: number;

  const actorOf = async (email: string): Promise<UserActor> => {
    const { rows } = await db.query(
      `SELECT u.id, u.email, u.name, u.role, u.department_id, d.key AS department FROM users u LEFT JOIN departments d ON d.id = u.department_id WHERE u.email = $1`,
      [email],
    );
    const u = rows[0];
    return {
      kind: 'user',
      id: u.id,
      email: u.email,
      name: u.name,
      role: u.role,
      departmentId: u.department_id,
      departmentKey: u.department,
      via: 'session',
    };
  };

  beforeAll(async () => {
    compliance = await actorOf('compliance@demo.local');
    owner = await actorOf('owner@demo.local');
    controlIds = (await db.query(`SELECT id FROM controls WHERE retired_at IS NULL`)).rows.map((r) => r.id as string);
    tasks = (await lifecycle.openWeek('2027-W09', job, openedAt)).tasks;
    expect(tasks).toBeGreaterThan(1);
  });

  it("gives every task the next working day's due time, stored on the task, and says the sweep opened late", async () => {
    const { rows } = await db.query(
      `SELECT DISTINCT t.due_at FROM sweep_tasks t JOIN sweeps s ON s.id = t.sweep_id WHERE s.week = '2027-W09'`,
    );
    expect(rows.map((r) => (r.due_at as Date).toISOString())).toEqual([fairDue.toISOString()]);
    const view = await sweeps.byWeek(compliance, '2027-W09', new Date('2027-03-06T03:00:00Z'));
    expect(view).toMatchObject({
      dueAt: fairDue.toISOString(),
      nominalDueAt: '2027-03-05T11:00:00.000Z',
      openedLate: true,
      overdue: 0,
    });
  });

  it("a task done within an hour of opening is on time, in the task list and in the pack's sweep section", async () => {
    const [first] = (await sweeps.tasks(compliance, '2027-W09', { limit: 1 })).items;
    const done = await sweepTasks.completeTask(
      compliance,
      first.id,
      { outcome: 'exception', reason: 'Tool migration this week; evidence next week.' },
      new Date('2027-03-06T02:45:00Z'),
    );
    expect(done.timing).toBe('on_time');
    const beforeDue = await sweepPosture.periodReport(
      '2027-03-01',
      '2027-03-07',
      controlIds,
      new Date('2027-03-08T10:00:00Z'),
    );
    expect(beforeDue.weeks).toEqual([expect.objectContaining({ week: '2027-W09', tasks, late: 0, exceptions: 1 })]);
    expect(beforeDue.irregular.filter((i) => i.kind !== 'exception')).toEqual([]);
    // A period ending on Sunday 7 March: at its end nothing was due yet, so nothing is late in it.
    const periodEnded = await sweepPosture.periodReport(
      '2027-03-01',
      '2027-03-07',
      controlIds,
      new Date('2027-03-31T00:00:00Z'),
    );
    expect(periodEnded.weeks[0].late).toBe(0);
    // After the fair due time, the tasks still open are late; the one done within the hour is not.
    const afterDue = await sweepPosture.periodReport(
      '2027-03-01',
      '2027-03-14',
      controlIds,
      new Date('2027-03-08T12:00:00Z'),
    );
    expect(afterDue.weeks.find((w) => w.week === '2027-W09')?.late).toBe(tasks - 1);
    expect(afterDue.irregular.find((i) => i.control === first.controlKey)?.kind).toBe('exception');
  });

  it('sends no overdue notice at opening: one "due in 2 days" digest per owner instead', async () => {
    const r = await reminders.remindAndEscalate(new Date('2027-03-06T03:00:00Z'));
    expect(r.escalations).toBe(0);
    expect(
      await count(
        `SELECT count(*) FROM notifications WHERE kind IN ('sweep.escalation', 'sweep.overdue') AND dedupe_key LIKE 'sweep:2027-W09:%'`,
      ),
    ).toBe(0);
    const mine = (
      await db.query(
        `SELECT subject, body FROM notifications WHERE kind = 'sweep.reminder' AND recipient_user_id = $1 AND dedupe_key LIKE 'sweep:2027-W09:%'`,
        [owner.id],
      )
    ).rows;
    const myOpen = (await sweeps.tasks(owner, '2027-W09', { mine: true, status: 'open', limit: 200 })).items;
    expect(myOpen.length).toBeGreaterThan(1);
    expect(mine).toHaveLength(1);
    expect(mine[0].subject).toBe(`Due in 2 days: ${myOpen.length} sweep task(s), 2027-W09`);
    for (const t of myOpen) expect(mine[0].body).toContain(t.controlKey);
    expect(mine[0].body).toContain('Mon 8 Mar 2027, 18:00 (Asia/Bangkok)');
  });

  it('stays open when the next week opens before its due time, and "my sweep" carries its open tasks over', async () => {
    await lifecycle.openWeek('2027-W10', job, new Date('2027-03-08T02:00:00Z')); // Monday 09:00
    expect(await count(`SELECT count(*) FROM sweeps WHERE week = '2027-W09' AND status = 'open'`)).toBe(1);
    const page = await sweeps.mySweep(owner, new Date('2027-03-08T03:00:00Z'));
    expect(page.sweep?.week).toBe('2027-W10');
    expect(page.carriedOver.length).toBeGreaterThan(1);
    expect(
      page.carriedOver.every((t) => t.week === '2027-W09' && t.timing === 'open' && t.dueAt === fairDue.toISOString()),
    ).toBe(true);
    const later = await sweeps.mySweep(owner, new Date('2027-03-08T11:01:00Z'));
    expect(later.carriedOver.every((t) => t.timing === 'overdue')).toBe(true);
  });

  it('escalates once past the due time: ONE digest per manager and one overdue digest per owner, not one per task', async () => {
    const managers = await count(`SELECT count(*) FROM users WHERE role = 'compliance_manager' AND active`);
    const at = new Date('2027-03-08T11:01:00Z'); // Monday 18:01
    const r = await reminders.remindAndEscalate(at);
    expect(r.escalations).toBe(managers);
    const digest = (
      await db.query(
        `SELECT subject, body FROM notifications WHERE kind = 'sweep.escalation' AND recipient_user_id = $1 AND dedupe_key LIKE 'sweep:2027-W09:%'`,
        [compliance.id],
      )
    ).rows;
    expect(digest).toHaveLength(1);
    expect(digest[0].subject).toBe(`Overdue: ${tasks - 1} sweep task(s) in 2027-W09`);
    expect(digest[0].body.split('\n').filter((l: string) => l.startsWith('- '))).toHaveLength(tasks - 1);
    expect(
      await count(
        `SELECT count(*) FROM notifications WHERE kind = 'sweep.overdue' AND recipient_user_id = $1 AND dedupe_key LIKE 'sweep:2027-W09:%'`,
        [owner.id],
      ),
    ).toBe(1);
    expect(await reminders.remindAndEscalate(new Date(at.getTime() + 3_600_000))).toEqual({
      reminders: 0,
      escalations: 0,
    });
    expect(
      await count(
        `SELECT count(*) FROM notifications WHERE kind = 'sweep.escalation' AND dedupe_key LIKE 'sweep:2027-W09:%'`,
      ),
    ).toBe(managers);
  });

  it('is closed by the next opening after its due time, counting as overdue only what was open after it', async () => {
    await lifecycle.openWeek('2027-W11', job, new Date('2027-03-15T02:00:00Z'));
    const { rows } = await db.query(`SELECT status FROM sweeps WHERE week = '2027-W09'`);
    expect(rows[0].status).toBe('closed');
    const summary = (await lifecycle.closeWeek('2027-W09', job)).summary!;
    expect(summary).toMatchObject({ tasks, exceptions: 1, overdue: tasks - 1 });
  });

  it("a week's sweep with its progress in one query equals the sweep and its progress read apart, for each reader", async () => {
    const repo = t.app.get(SweepsRepository);
    const auditorOf = (frameworks: string[], ids: string[]): UserActor => ({
      kind: 'user',
      id: randomUUID(),
      email: 'a@x.test',
      name: 'a',
      role: 'auditor',
      departmentId: null,
      departmentKey: null,
      via: 'session',
      engagements: [
        {
          id: randomUUID(),
          frameworks,
          from: '2027-01-01',
          to: '2027-12-31',
          expiresAt: new Date(Date.now() + 86_400_000),
          controlIds: ids,
        },
      ],
    });
    const byKey = (a: ProgressRow, b: ProgressRow) =>
      `${a.ownerDepartment}|${a.ownerUserId}|${a.status}`.localeCompare(
        `${b.ownerDepartment}|${b.ownerUserId}|${b.status}`,
      );
    const readers = [compliance, owner, auditorOf(['pdpa'], controlIds.slice(0, 5)), auditorOf([], [])];
    // 2027-W09 is closed (its overdue counts as of its close), 2027-W11 open (as of `now`, before and after its due time).
    for (const [week, now] of [
      ['2027-W09', new Date('2027-04-01T00:00:00Z')],
      ['2027-W11', new Date('2027-03-16T00:00:00Z')],
      ['2027-W11', new Date('2027-03-20T00:00:00Z')],
      ['2031-W01', new Date('2031-01-01T00:00:00Z')],
    ] as const) {
      for (const reader of readers) {
        const ability = abilityFor(reader);
        const together = await repo.weekWithProgress(week, now, ability);
        const sweep = await repo.findByWeek(week);
        if (!sweep) {
          expect(together).toBeNull();
          continue;
        }
        const apart = await repo.progress(sweep.id, sweep.closedAt ?? now, undefined, ability);
        expect(together!.sweep).toEqual(sweep);
        expect(together!.progress.sort(byKey)).toEqual(apart.sort(byKey));
      }
    }
    const open = await repo.weekWithProgress('2027-W11', new Date('2027-03-20T00:00:00Z'), abilityFor(compliance));
    expect(open!.progress.reduce((n, r) => n + r.overdue, 0)).toBeGreaterThan(0);
    const outOfScope = await repo.weekWithProgress('2027-W11', new Date(), abilityFor(readers[3]));
    expect(outOfScope!.progress).toEqual([]);
  });
});
