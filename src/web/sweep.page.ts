// View models of the sweep pages: "my sweep" (a control owner's open and done tasks) and the dashboard
// (the current sweep's progress and each framework's posture). Pure functions of the service's views.
import type { FrameworkPosture } from '../sweeps/domain/posture';
import type { Page } from '../common/http/pagination';
import type { OwnerProgressView, SweepTaskView, SweepView } from '../sweeps/dto/sweep.dto';

const FRESHNESS_LABEL = { fresh: 'fresh', due_soon: 'due soon', stale: 'stale', missing: 'missing' } as const;

/** Controls needing attention listed per framework; the rest are counted. */
export const ATTENTION_SHOWN = 15;

/** My sweep: open tasks (carried-over ones of an earlier sweep first), how many are overdue, and the done ones. */
export function mySweepPage(input: {
  sweep: SweepView | null;
  tasks: SweepTaskView[];
  carriedOver: (SweepTaskView & { week: string })[];
}) {
  const { sweep, tasks, carriedOver } = input;
  const open = [...carriedOver, ...tasks.filter((t) => t.status === 'open')].map((t) => ({
    ...t,
    overdue: t.timing === 'overdue',
  }));
  return {
    pageTitle: 'My sweep',
    sweep,
    open,
    overdue: open.filter((t) => t.overdue).length,
    done: tasks.filter((t) => t.status !== 'open').map((t) => ({ ...t, late: t.timing === 'late' })),
  };
}

/** The dashboard: the current sweep's share done (none when there is no sweep or no task) and posture per framework. */
export function sweepDashboardPage(sweep: SweepView | null, posture: FrameworkPosture[]) {
  return {
    pageTitle: 'Sweeps and posture',
    sweep: sweep && {
      ...sweep,
      byOwner: sweep.byOwner.map((o) => ({
        ...o,
        tasksHref: ownerTasksHref(o, false),
        overdueHref: o.overdue ? ownerTasksHref(o, true) : null,
      })),
    },
    percent: sweep && sweep.tasks ? Math.round((100 * sweep.done) / sweep.tasks) : null,
    posture: posture.map((p) => ({
      ...p,
      percent: Math.round(p.share * 100),
      attention: p.attention.slice(0, ATTENTION_SHOWN).map((a) => ({ ...a, label: FRESHNESS_LABEL[a.freshness] })),
      more: Math.max(0, p.attention.length - ATTENTION_SHOWN),
    })),
  };
}

/** The sweep's tasks of one owner (a person, or a department's unassigned ones), overdue ones only if asked. */
export function ownerTasksHref(o: Pick<OwnerProgressView, 'ownerUserId' | 'department'>, overdue: boolean): string {
  const params = new URLSearchParams(o.ownerUserId ? { owner: o.ownerUserId } : { department: o.department });
  if (overdue) params.set('overdue', '1');
  return `/sweeps/tasks?${params.toString()}`;
}

const TIMING_LABEL = { open: 'not yet due', overdue: 'overdue', on_time: 'on time', late: 'late' } as const;

/** Whose tasks a task list shows, in words. */
function whose(filter: { owner?: string; department?: string }, ownerName: string | null): string {
  if (filter.owner) return ownerName ?? 'this person';
  if (filter.department) return `${filter.department} (department, no one assigned)`;
  return 'everyone';
}

/** The current sweep's tasks of one owner (the dashboards' drill-down), with their timing and paging. */
export function sweepTasksPage(input: {
  sweep: SweepView;
  list: Page<SweepTaskView>;
  filter: { owner?: string; department?: string; overdue?: boolean };
  ownerName: string | null;
}) {
  const { list, filter } = input;
  const link = (offset: number, overdue = filter.overdue) => {
    const params = new URLSearchParams();
    if (filter.owner) params.set('owner', filter.owner);
    if (filter.department) params.set('department', filter.department);
    if (overdue) params.set('overdue', '1');
    if (offset) params.set('offset', String(offset));
    return `/sweeps/tasks?${params.toString()}`;
  };
  return {
    pageTitle: `Sweep ${input.sweep.week}: tasks`,
    sweep: input.sweep,
    whose: whose(filter, input.ownerName),
    overdueOnly: !!filter.overdue,
    toggle: link(0, !filter.overdue),
    tasks: list.items.map((t) => ({
      ...t,
      overdue: t.timing === 'overdue',
      late: t.timing === 'late',
      timingLabel: TIMING_LABEL[t.timing],
    })),
    total: list.total,
    from: list.total === 0 ? 0 : list.offset + 1,
    to: list.offset + list.items.length,
    previous: list.offset > 0 ? link(Math.max(0, list.offset - list.limit)) : null,
    next: list.offset + list.limit < list.total ? link(list.offset + list.limit) : null,
  };
}
