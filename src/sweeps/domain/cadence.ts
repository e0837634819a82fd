// When a control is due in a weekly sweep, and how fresh its evidence is. Pure.
import type { Cadence } from '../../catalog/domain/catalog-model';
import { addDays, addMonths, compareDates, DEFAULT_TZ, localDate, type IsoWeek, type LocalDate, weekMonday, zonedInstant } from './calendar';

/**
 * Weekly controls are due every sweep; monthly ones in the sweep whose Monday is in the first seven
 * days of a month; quarterly in January, April, July and October's; annual in January's.
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
  }
}

/** Tasks are due on a weekday of the sweep's week at a local time (default Friday 18:00). */
export function taskDueAt(week: IsoWeek, weekday = 5, hour = 18, minute = 0, tz = DEFAULT_TZ): Date {
  return zonedInstant(addDays(weekMonday(week), weekday - 1), hour, minute, tz);
}

export type Freshness = 'fresh' | 'due_soon' | 'stale' | 'missing';

/** How long one piece of evidence counts, and the warning time before that ends. */
const VALIDITY: Record<Cadence, { months?: number; days?: number; warnDays: number }> = {
  weekly: { days: 7, warnDays: 2 },
  monthly: { months: 1, warnDays: 7 },
  quarterly: { months: 3, warnDays: 14 },
  annual: { months: 12, warnDays: 30 },
};

/** The first local day on which evidence dated `of` no longer counts. */
export function expiresOn(cadence: Cadence, of: LocalDate): LocalDate {
  const v = VALIDITY[cadence];
  return v.months ? addMonths(of, v.months) : addDays(of, v.days!);
}

/**
 * Freshness of a control from its cadence and the date its newest evidence is of, with day boundaries
 * in the given zone: `fresh` until the last warning days, then `due_soon`, then `stale` from the
 * expiry day; `missing` without evidence.
 */
export function freshness(cadence: Cadence, newestEvidenceOf: LocalDate | null, now: Date, tz = DEFAULT_TZ): Freshness {
  if (!newestEvidenceOf) return 'missing';
  const today = localDate(now, tz);
  const expiry = expiresOn(cadence, newestEvidenceOf);
  if (compareDates(today, expiry) >= 0) return 'stale';
  if (compareDates(today, addDays(expiry, -VALIDITY[cadence].warnDays)) >= 0) return 'due_soon';
  return 'fresh';
}
