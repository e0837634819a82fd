import {
  lastMonths,
  managerDashboard,
  monthsLowerBound,
  ownerDashboard,
  ownsControl,
  trendRows,
  TREND_CSV_COLUMNS,
  volumeByMonth,
} from './dashboard.page';
import type { SweepTaskView, SweepView } from '../sweeps/dto/sweep.dto';
import { csvText } from './list-csv';

const sweep = (byOwner: SweepView['byOwner']): SweepView => ({
  week: '2026-W50',
  status: 'open',
  openedAt: '2026-12-07T02:00:00.000Z',
  dueAt: '2026-12-11T11:00:00.000Z',
  nominalDueAt: '2026-12-11T11:00:00.000Z',
  openedLate: false,
  closedAt: null,
  summaryEvidenceId: null,
  tasks: 10,
  done: 4,
  overdue: 3,
  byOwner,
});

describe('managerDashboard', () => {
  const trend = [
    { week: '2026-W49', asOf: '', items: [{ framework: 'soc2', applicable: 4, fresh: 1 }] },
    { week: '2026-W50', asOf: '', items: [{ framework: 'soc2', applicable: 4, fresh: 3 }] },
  ];
  const owner = (name: string, overdue: number) => ({
    owner: name,
    ownerUserId: name === 'D' ? null : `00000000-0000-4000-8000-00000000000${name.charCodeAt(0) - 64}`,
    department: 'eng',
    open: 5,
    overdue,
    done: 0,
  });
  const page = managerDashboard({
    posture: [],
    trend,
    sweep: sweep([owner('A', 1), owner('B', 0), owner('C', 2), ...['D', 'E', 'F', 'G'].map((n) => owner(n, 1))]),
    dsr: { open: 2, overdue: 1 },
    risks: [{ register: 'security', alara: 2, unacceptable: 1 }],
    trail: { ok: true, entries: 9 },
  });

  it('lists the owners with overdue tasks, most first, at most five', () => {
    expect(page.sweep!.owners.map((o) => o.owner)).toEqual(['C', 'A', 'D', 'E', 'F']);
    // Each drills down to that owner's overdue tasks; a department's unassigned tasks by the department.
    expect(page.sweep!.owners[0].tasksHref).toBe('/sweeps/tasks?owner=00000000-0000-4000-8000-000000000003&overdue=1');
    expect(page.sweep!.owners[2].tasksHref).toBe('/sweeps/tasks?department=eng&overdue=1');
    expect(page.sweep!.open).toBe(6);
    expect(page.sweep!.percent).toBe(40);
  });

  it('adds risks above acceptable as ALARA plus unacceptable', () => {
    expect(page.risks[0].above).toBe(3);
  });

  it('tabulates the trend per week and framework, and the CSV has the same numbers', () => {
    expect(page.trend.rows.map((r) => r.cells[0])).toEqual([
      { fresh: 1, applicable: 4, percent: 25 },
      { fresh: 3, applicable: 4, percent: 75 },
    ]);
    expect(csvText(TREND_CSV_COLUMNS, trendRows(trend))).toBe(
      '\uFEFFWeek,Framework,Applicable requirements,Fresh,Fresh %\n2026-W49,soc2,4,1,25\n2026-W50,soc2,4,3,75\n',
    );
  });
});

describe('ownerDashboard', () => {
  const actor = { id: 'u1', departmentKey: 'eng' };
  const task = (id: string, timing: SweepTaskView['timing'], status: SweepTaskView['status'] = 'open') =>
    ({ id, controlKey: id, status, timing, dueAt: '2026-12-11T11:00:00.000Z' }) as SweepTaskView;

  it('counts a control as mine when assigned to me, or to my department when no one is', () => {
    expect(ownsControl(actor, { ownerUserId: 'u1', ownerDepartment: 'ops' })).toBe(true);
    expect(ownsControl(actor, { ownerUserId: 'u2', ownerDepartment: 'eng' })).toBe(false);
    expect(ownsControl(actor, { ownerUserId: null, ownerDepartment: 'eng' })).toBe(true);
  });

  it('lists open tasks, carried-over first, marks overdue ones, and splits my evidence by freshness', () => {
    const attention = (key: string, freshness: 'due_soon' | 'stale', ownerUserId: string | null) => ({
      key,
      freshness,
      ownerDepartment: 'eng',
      ownerUserId,
    });
    const page = ownerDashboard({
      actor,
      sweep: {
        sweep: sweep([]),
        tasks: [task('A', 'open'), task('B', 'on_time', 'completed')],
        carriedOver: [{ ...task('C', 'overdue'), week: '2026-W49' }],
      },
      posture: [
        {
          framework: 'soc2',
          applicable: 1,
          fresh: 0,
          share: 0,
          notFresh: [],
          attention: [
            attention('K1', 'stale', null),
            attention('K2', 'due_soon', 'u1'),
            attention('K3', 'stale', 'u2'),
          ],
        },
        {
          framework: 'pdpa',
          applicable: 1,
          fresh: 0,
          share: 0,
          notFresh: [],
          attention: [attention('K1', 'stale', null)],
        },
      ],
      dsrTasks: { items: [], total: 0, limit: 5, offset: 0 },
      acknowledgements: { items: [], total: 0, limit: 200, offset: 0 },
      unread: 0,
      latestUnread: { items: [], total: 0, limit: 5, offset: 0 },
    });
    expect(page.tasks.map((t) => [t.id, t.overdue])).toEqual([
      ['C', true],
      ['A', false],
    ]);
    expect(page.overdue).toBe(1);
    expect(page.evidence.dueSoon.map((a) => a.key)).toEqual(['K2']);
    expect(page.evidence.stale.map((a) => a.key)).toEqual(['K1']);
  });
});

describe('the months of the DSR volume', () => {
  it('are the last twelve in Bangkok: at 17:00 UTC on 31 December it is already January there', () => {
    const months = lastMonths(12, new Date('2026-12-31T17:00:00Z'), 'Asia/Bangkok');
    expect(months[0]).toBe('2026-02');
    expect(months[11]).toBe('2027-01');
    expect(lastMonths(12, new Date('2026-12-31T16:59:59Z'), 'Asia/Bangkok')[11]).toBe('2026-12');
    expect(new Set(months).size).toBe(12);
  });

  it('read from a bound before the first month begins in any zone', () => {
    const bound = monthsLowerBound(['2026-02', '2026-03']);
    expect(bound.getTime()).toBeLessThanOrEqual(Date.parse('2026-02-01T00:00:00+14:00'));
    expect(bound.toISOString()).toBe('2026-01-31T00:00:00.000Z');
  });

  it('list every month, 0 where nothing was counted, and ignore months outside them', () => {
    expect(
      volumeByMonth(
        ['2026-10', '2026-11', '2026-12'],
        [
          { month: '2026-09', requests: 4 },
          { month: '2026-11', requests: 2 },
        ],
      ),
    ).toEqual([
      { month: '2026-10', requests: 0 },
      { month: '2026-11', requests: 2 },
      { month: '2026-12', requests: 0 },
    ]);
  });
});
