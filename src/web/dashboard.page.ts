// View model of the compliance manager's dashboard on the home page (issue 19): posture per framework with its
// trend over the last weeks (SVG chart, table, CSV), this week's sweep burn-down, the owners with the most
// overdue tasks, DSR clocks, risks above acceptable per register, and the audit trail's verification. Pure: every
// number comes from a service view the API also serves, so the page and the API agree.
import type { PackView } from '../audit-packs/dto/pack.dto';
import type { UserActor } from '../authz/actor';
import type { EngagementRequestView, EngagementView } from '../engagements/dto/engagement.dto';
import type { Page } from '../common/http/pagination';
import type { AcknowledgementView } from '../documents/dto/acknowledgement.dto';
import type { DrillView, DsrActionView, DsrRequestView } from '../dsr/dto/dsr.dto';
import type { NotificationView } from '../notifications/dto/notification.dto';
import type { PostureTrendWeek } from '../sweeps/sweep-posture.service';
import type { FrameworkPosture } from '../sweeps/domain/posture';
import type { SweepTaskView, SweepView } from '../sweeps/dto/sweep.dto';
import type { CsvColumn } from './list-csv';
import { lineChart } from './svg-chart';
import { ownerTasksHref } from './sweep.page';

/** Owners listed under "most overdue"; the sweep page lists them all. */
export const OVERDUE_OWNERS_SHOWN = 5;

export interface ManagerDashboardInput {
  posture: FrameworkPosture[];
  trend: PostureTrendWeek[];
  sweep: SweepView | null;
  dsr: { open: number; overdue: number };
  risks: { register: string; alara: number; unacceptable: number }[];
  trail: { ok: boolean; entries: number; brokenAtSeq?: number; reason?: string };
  /** This week's tasks closed with an exception, per framework their control is mapped to. */
  exceptionsByFramework?: Map<string, number>;
}

const percent = (fresh: number, applicable: number) => (applicable ? Math.round((100 * fresh) / applicable) : 100);

/** One row per week and framework: the trend's numbers as the table and the CSV show them. */
export interface TrendRow {
  week: string;
  framework: string;
  applicable: number;
  fresh: number;
  percent: number;
}

export function trendRows(trend: PostureTrendWeek[]): TrendRow[] {
  return trend.flatMap((w) => w.items.map((i) => ({ week: w.week, ...i, percent: percent(i.fresh, i.applicable) })));
}

export const TREND_CSV_COLUMNS: CsvColumn<TrendRow>[] = [
  { header: 'Week', value: (r) => r.week },
  { header: 'Framework', value: (r) => r.framework },
  { header: 'Applicable requirements', value: (r) => r.applicable },
  { header: 'Fresh', value: (r) => r.fresh },
  { header: 'Fresh %', value: (r) => r.percent },
];

/** The trend as a chart (share fresh per framework, in percent) and a table with a column per framework. */
function trendView(trend: PostureTrendWeek[]) {
  const frameworks = trend.length ? trend[trend.length - 1].items.map((i) => i.framework) : [];
  const labels = trend.map((w) => w.week.replace(/^\d{4}-/, ''));
  const series = frameworks.map((f) => ({
    name: f,
    values: trend.map((w) => {
      const i = w.items.find((x) => x.framework === f);
      return i ? percent(i.fresh, i.applicable) : 0;
    }),
  }));
  return {
    frameworks,
    chart: lineChart({
      title: 'Share of requirements fresh per framework, by week',
      labels,
      series,
      max: 100,
      unit: '%',
    }),
    rows: trend.map((w) => ({
      week: w.week,
      cells: frameworks.map((f) => {
        const i = w.items.find((x) => x.framework === f);
        return i ? { fresh: i.fresh, applicable: i.applicable, percent: percent(i.fresh, i.applicable) } : null;
      }),
    })),
  };
}

function sweepView(sweep: SweepView | null) {
  if (!sweep) return null;
  const owners = sweep.byOwner
    .filter((o) => o.overdue > 0)
    .sort((a, b) => b.overdue - a.overdue || a.owner.localeCompare(b.owner))
    .slice(0, OVERDUE_OWNERS_SHOWN)
    .map((o) => ({ ...o, tasksHref: ownerTasksHref(o, true) }));
  return {
    week: sweep.week,
    status: sweep.status,
    dueAt: sweep.dueAt,
    tasks: sweep.tasks,
    done: sweep.done,
    open: sweep.tasks - sweep.done,
    overdue: sweep.overdue,
    percent: sweep.tasks ? Math.round((100 * sweep.done) / sweep.tasks) : null,
    owners,
  };
}

export function managerDashboard(input: ManagerDashboardInput) {
  return {
    posture: input.posture.map((p) => ({
      framework: p.framework,
      applicable: p.applicable,
      fresh: p.fresh,
      notFresh: p.applicable - p.fresh,
      percent: Math.round(p.share * 100),
      stale: p.attention.filter((a) => a.freshness === 'stale' || a.freshness === 'missing').length,
      dueSoon: p.attention.filter((a) => a.freshness === 'due_soon').length,
      overdueReviews: p.overdueReviews?.length ?? 0,
      exceptions: input.exceptionsByFramework?.get(p.framework) ?? 0,
    })),
    trend: trendView(input.trend),
    sweep: sweepView(input.sweep),
    dsr: input.dsr,
    risks: input.risks.map((r) => ({ ...r, above: r.alara + r.unacceptable })),
    trail: input.trail,
  };
}

export interface OwnerDashboardInput {
  actor: Pick<UserActor, 'id' | 'departmentKey'>;
  sweep: { sweep: SweepView | null; tasks: SweepTaskView[]; carriedOver: (SweepTaskView & { week: string })[] };
  posture: FrameworkPosture[];
  dsrTasks: Page<DsrActionView & { requestId: string; reference: string }>;
  acknowledgements: Page<AcknowledgementView>;
  unread: number;
  latestUnread: Page<NotificationView>;
}

/** Whether a control is the actor's: assigned to them, or to their department when no person is. */
export function ownsControl(
  actor: Pick<UserActor, 'id' | 'departmentKey'>,
  c: { ownerUserId: string | null; ownerDepartment: string },
) {
  return c.ownerUserId ? c.ownerUserId === actor.id : c.ownerDepartment === actor.departmentKey;
}

/** The actor's controls that need evidence, from the posture's attention lists (each control once), worst first. */
function myEvidence(actor: OwnerDashboardInput['actor'], posture: FrameworkPosture[]) {
  const seen = new Map<string, { key: string; freshness: string }>();
  for (const p of posture)
    for (const a of p.attention) if (ownsControl(actor, a) && !seen.has(a.key)) seen.set(a.key, a);
  const all = [...seen.values()];
  return {
    dueSoon: all.filter((a) => a.freshness === 'due_soon').sort((a, b) => a.key.localeCompare(b.key)),
    stale: all.filter((a) => a.freshness !== 'due_soon').sort((a, b) => a.key.localeCompare(b.key)),
  };
}

export function ownerDashboard(input: OwnerDashboardInput) {
  const { sweep, acknowledgements } = input;
  const open = [...sweep.carriedOver, ...sweep.tasks.filter((t) => t.status === 'open')].map((t) => ({
    ...t,
    overdue: t.timing === 'overdue',
  }));
  const toAcknowledge = acknowledgements.items.filter((a) => a.status !== 'acknowledged');
  return {
    week: sweep.sweep?.week ?? null,
    tasks: open,
    overdue: open.filter((t) => t.overdue).length,
    evidence: myEvidence(input.actor, input.posture),
    dsrTasks: input.dsrTasks,
    toAcknowledge,
    acknowledgementsOverdue: toAcknowledge.filter((a) => a.status === 'overdue').length,
    unread: input.unread,
    latestUnread: input.latestUnread.items,
  };
}

type Queued = Pick<
  DsrRequestView,
  'id' | 'reference' | 'right' | 'status' | 'clocks' | 'erasureScheduledFor' | 'erasedAt'
>;

/** Time left as people read it: "3 d 4 h left", "5 h left", "2 h late"; none for a stopped clock. */
export function timeLeft(ms: number | null): string | null {
  if (ms === null) return null;
  const hours = Math.floor(Math.abs(ms) / 3_600_000);
  const text = hours >= 24 ? `${Math.floor(hours / 24)} d ${hours % 24} h` : `${hours} h`;
  return ms < 0 ? `${text} late` : `${text} left`;
}

/** The sooner of a request's running clocks, in ms left (a request with no running clock last). */
function soonest(r: Queued): number {
  const left = [r.clocks.internal.remainingMs, r.clocks.statutory?.remainingMs ?? null].filter(
    (v): v is number => v !== null,
  );
  return left.length ? Math.min(...left) : Number.POSITIVE_INFINITY;
}

/** Requests received per month (TZ_COMPLIANCE), for the last `months` months ending with `now`'s. */
/** The last `months` calendar months in the zone, oldest first, as YYYY-MM; the current month last. */
export function lastMonths(months: number, now: Date, tz: string): string[] {
  const current = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit' })
    .format(now)
    .slice(0, 7);
  const [y, m] = current.split('-').map(Number);
  return Array.from({ length: months }, (_, i) => {
    const d = new Date(Date.UTC(y, m - 1 - (months - 1 - i), 1));
    return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  });
}

/**
 * An instant no later than the start of the first of these months in any zone (UTC−12 to UTC+14): a lower
 * bound for reading the months' rows, which are then counted by their month in the compliance zone.
 */
export function monthsLowerBound(months: string[]): Date {
  const [y, m] = months[0].split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, 1) - 86_400_000);
}

/** Requests received per month, every month of `months` listed (0 when none), from counts per YYYY-MM. */
export function volumeByMonth(months: string[], counted: { month: string; requests: number }[]) {
  const counts = new Map(counted.map((c) => [c.month, c.requests]));
  return months.map((month) => ({ month, requests: counts.get(month) ?? 0 }));
}

export const VOLUME_CSV_COLUMNS: CsvColumn<{ month: string; requests: number }>[] = [
  { header: 'Month', value: (r) => r.month },
  { header: 'Requests received', value: (r) => r.requests },
];

export interface PrivacyDashboardInput {
  open: Page<Queued>;
  awaitingIdentity: number;
  lastDrill: DrillView | null;
  volume: { month: string; requests: number }[];
}

export function privacyDashboard(input: PrivacyDashboardInput) {
  const queue = [...input.open.items]
    .sort((a, b) => soonest(a) - soonest(b) || a.reference.localeCompare(b.reference))
    .map((r) => ({
      ...r,
      internalLeft: timeLeft(r.clocks.internal.remainingMs),
      statutoryLeft: r.clocks.statutory ? timeLeft(r.clocks.statutory.remainingMs) : null,
      late: soonest(r) < 0,
    }));
  return {
    open: input.open.total,
    queue,
    awaitingIdentity: input.awaitingIdentity,
    erasuresScheduled: input.open.items.filter((r) => r.erasureScheduledFor && !r.erasedAt),
    lastDrill: input.lastDrill,
    volume: input.volume,
    volumeChart: lineChart({
      title: 'Data subject requests received per month',
      labels: input.volume.map((v) => v.month.slice(2)),
      series: [{ name: 'requests', values: input.volume.map((v) => v.requests) }],
      max: Math.max(4, ...input.volume.map((v) => v.requests)),
    }),
  };
}

export interface AuditorDashboardInput {
  engagements: Page<EngagementView>;
  requests: Page<EngagementRequestView>;
  packs: Page<PackView>;
  /** Per engagement: evidence items the auditor may read dated within its period. */
  evidenceInPeriod: Map<string, number>;
  now: Date;
}

/** Whole days from `now` until `expiresAt`, 0 once it has passed. */
export function daysLeft(expiresAt: string, now: Date): number {
  return Math.max(0, Math.ceil((new Date(expiresAt).getTime() - now.getTime()) / 86_400_000));
}

/** An auditor's engagements with their days left, their requests with the answers, and their packs. */
export function auditorDashboard(input: AuditorDashboardInput) {
  return {
    engagements: input.engagements.items.map((e) => ({
      ...e,
      daysLeft: daysLeft(e.expiresAt, input.now),
      evidence: input.evidenceInPeriod.get(e.id) ?? 0,
    })),
    requests: input.requests.items,
    requestsTotal: input.requests.total,
    requestsOpen: input.requests.items.filter((r) => r.status === 'open').length,
    packs: input.packs.items.map((p) => ({ ...p, done: p.status === 'done' })),
    packsTotal: input.packs.total,
  };
}
