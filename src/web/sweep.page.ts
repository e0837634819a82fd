// View models of the sweep pages: "my sweep" (a control owner's open and done tasks) and the dashboard
// (the current sweep's progress and each framework's posture). Pure functions of the service's views.
import type { FrameworkPosture } from '../sweeps/domain/posture';
import type { SweepTaskView, SweepView } from '../sweeps/dto/sweep.dto';

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
    sweep,
    percent: sweep && sweep.tasks ? Math.round((100 * sweep.done) / sweep.tasks) : null,
    posture: posture.map((p) => ({
      ...p,
      percent: Math.round(p.share * 100),
      attention: p.attention.slice(0, ATTENTION_SHOWN).map((a) => ({ ...a, label: FRESHNESS_LABEL[a.freshness] })),
      more: Math.max(0, p.attention.length - ATTENTION_SHOWN),
    })),
  };
}
