// When a control is due in a weekly sweep, and how fresh its evidence is. Pure.
import type { Cadence } from '../../catalog/domain/catalog-model';
import {
  addDays,
  addMonths,
  compareDates,
  localDate,
  type IsoWeek,
  type LocalDate,
  weekMonday,
  zonedInstant,
} from '../../common/time/calendar';
import { complianceTimeZone } from '../../common/time/zone';

/**
 * A control's cadence as the freshness rule needs it. For `event` (evidence per occurrence: a release, a
 * penetration test), `maxIntervalDays` is the longest gap allowed between two occurrences (controls/*.yaml
 * `max_interval_days`, required there for event controls).
 */
export interface Schedule {
  cadence: Cadence;
  maxIntervalDays?: number | null;
}

/**
 * Weekly controls are due every sweep; monthly ones in the sweep whose Monday is in the first seven
 * days of a month; quarterly in January, April, July and October's; annual in January's. Event controls
 * never get a task by the calendar: their evidence comes with each occurrence (a release, a test).
 */
export function isDueInWeek(cadence: Cadence, week: IsoWeek): boolean {
  const monday = weekMonday(week);
  const firstWeekOfMonth = monday.day <= 7;
  switch (cadence) {
    case 'weekly':
      return true;
    case 'monthly':
      return firstWeekOfMonth;
    case 'quarterly':
      return firstWeekOfMonth && [1, 4, 7, 10].includes(monday.month);
    case 'annual':
      return firstWeekOfMonth && monday.month === 1;
    case 'event':
      return false;
  }
}

/** Tasks are due on a weekday of the sweep's week at a local time (default Friday 18:00). */
export function taskDueAt(week: IsoWeek, weekday = 5, hour = 18, minute = 0, tz = complianceTimeZone()): Date {
  return zonedInstant(addDays(weekMonday(week), weekday - 1), hour, minute, tz);
}

export type Freshness = 'fresh' | 'due_soon' | 'stale' | 'missing';

/** How long one piece of evidence counts, and the warning time before that ends. */
const VALIDITY: Record<Exclude<Cadence, 'event'>, { months?: number; days?: number; warnDays: number }> = {
  weekly: { days: 7, warnDays: 2 },
  monthly: { months: 1, warnDays: 7 },
  quarterly: { months: 3, warnDays: 14 },
  annual: { months: 12, warnDays: 30 },
};

/**
 * Event cadence: evidence counts for `maxIntervalDays` days, with a warning in the last quarter of that
 * (at most 30 days, at least 1). An event control without a maximum interval never expires (the loader
 * refuses one, so only a hand-made row could lack it).
 */
function validityOf(schedule: Cadence | Schedule): { months?: number; days?: number; warnDays: number } | null {
  const s = typeof schedule === 'string' ? { cadence: schedule } : schedule;
  if (s.cadence !== 'event') return VALIDITY[s.cadence];
  if (!s.maxIntervalDays) return null;
  return { days: s.maxIntervalDays, warnDays: Math.min(30, Math.max(1, Math.floor(s.maxIntervalDays / 4))) };
}

/** The first local day on which evidence dated `of` no longer counts (null: it does not expire). */
export function expiresOn(schedule: Cadence | Schedule, of: LocalDate): LocalDate | null {
  const v = validityOf(schedule);
  if (!v) return null;
  return v.months ? addMonths(of, v.months) : addDays(of, v.days!);
}

/**
 * Freshness of a control from its cadence and the date its newest evidence is of, with day boundaries
 * in the given zone: `fresh` until the last warning days, then `due_soon`, then `stale` from the
 * expiry day; `missing` without evidence. An event control is fresh while its newest evidence (the last
 * occurrence) is within its maximum interval: a release or a test that is overdue shows as stale.
 */
export function freshness(
  schedule: Cadence | Schedule,
  newestEvidenceOf: LocalDate | null,
  now: Date,
  tz = complianceTimeZone(),
): Freshness {
  if (!newestEvidenceOf) return 'missing';
  const v = validityOf(schedule);
  const expiry = expiresOn(schedule, newestEvidenceOf);
  if (!v || !expiry) return 'fresh';
  const today = localDate(now, tz);
  if (compareDates(today, expiry) >= 0) return 'stale';
  if (compareDates(today, addDays(expiry, -v.warnDays)) >= 0) return 'due_soon';
  return 'fresh';
}
