import type { FrameworkPosture } from '../sweeps/domain/posture';
import type { SweepTaskView, SweepView } from '../sweeps/dto/sweep.dto';
import { ATTENTION_SHOWN, mySweepPage, sweepDashboardPage } from './sweep.page';

const task = (id: string, status: string, timing: string) => ({ id, status, timing }) as unknown as SweepTaskView;

describe('mySweepPage', () => {
  it('lists carried-over tasks first, counts the overdue ones and marks late completions', () => {
    const page = mySweepPage({
      sweep: null,
      tasks: [task('t-1', 'open', 'on_time'), task('t-2', 'done', 'late'), task('t-3', 'open', 'overdue')],
      carriedOver: [{ ...task('t-0', 'open', 'overdue'), week: '2026-W48' }],
    });
    expect(page.open.map((t) => [t.id, t.overdue])).toEqual([
      ['t-0', true],
      ['t-1', false],
      ['t-3', true],
    ]);
    expect(page.overdue).toBe(2);
    expect(page.done.map((t) => [t.id, t.late])).toEqual([['t-2', true]]);
  });
});

describe('sweepDashboardPage', () => {
  const posture = (n: number): FrameworkPosture => ({
    framework: 'soc2',
    applicable: 61,
    fresh: 40,
    share: 40 / 61,
    notFresh: [],
    attention: Array.from({ length: n }, (_, i) => ({
      key: `C-${i}`,
      freshness: i === 0 ? 'due_soon' : 'missing',
      ownerDepartment: 'engineering',
      ownerUserId: null,
    })),
  });

  it('rounds the sweep’s share done, and shows none without a sweep or without tasks', () => {
    expect(sweepDashboardPage({ tasks: 3, done: 2, byOwner: [] } as unknown as SweepView, []).percent).toBe(67);
    expect(sweepDashboardPage({ tasks: 0, done: 0, byOwner: [] } as unknown as SweepView, []).percent).toBeNull();
    expect(sweepDashboardPage(null, []).percent).toBeNull();
  });

  it('links each owner to their tasks, and their overdue count to the overdue ones', () => {
    const byOwner = [
      {
        owner: 'Ann',
        ownerUserId: '00000000-0000-4000-8000-000000000001',
        department: 'eng',
        open: 2,
        overdue: 1,
        done: 0,
      },
      { owner: 'eng (department)', ownerUserId: null, department: 'eng', open: 1, overdue: 0, done: 3 },
    ];
    const page = sweepDashboardPage({ tasks: 6, done: 3, byOwner } as unknown as SweepView, []);
    expect(page.sweep!.byOwner.map((o) => [o.tasksHref, o.overdueHref])).toEqual([
      [
        '/sweeps/tasks?owner=00000000-0000-4000-8000-000000000001',
        '/sweeps/tasks?owner=00000000-0000-4000-8000-000000000001&overdue=1',
      ],
      ['/sweeps/tasks?department=eng', null],
    ]);
  });

  it('lists the first controls needing attention with their label and counts the rest', () => {
    const [p] = sweepDashboardPage(null, [posture(ATTENTION_SHOWN + 4)]).posture;
    expect([p.percent, p.attention.length, p.more]).toEqual([66, ATTENTION_SHOWN, 4]);
    expect(p.attention.slice(0, 2).map((a) => a.label)).toEqual(['due soon', 'missing']);
    expect(sweepDashboardPage(null, [posture(2)]).posture[0].more).toBe(0);
  });
});
