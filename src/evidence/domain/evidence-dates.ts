// Dates of evidence. Periods are calendar days in the compliance time zone (TZ_COMPLIANCE; by default
// Asia/Bangkok, UTC+07:00 all year: Thailand has no daylight saving time); the evidence date is an instant,
// given as a day in that zone or as a date-time with its own zone.
// Pure: no Nest, no TypeORM.
import { endOfDay, isCalendarDate, startOfDay } from '../../common/time/days';
import { complianceTimeZone } from '../../common/time/zone';

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A field problem, as the service turns it into a 400 naming the field. */
export interface DateProblem {
  field: string;
  message: string;
}

/**
 * The evidence date: a day (taken as 00:00 Asia/Bangkok) or a date-time with its zone. Not in the future
 * (a minute of clock skew allowed) and not before 1990.
 */
export function parseEvidenceDate(value: string, now: Date, field = 'evidenceDate'): Date | DateProblem {
  let at: Date;
  const day = value.slice(0, 10);
  if (isCalendarDate(value)) at = startOfDay(value);
  else if (DATE_TIME.test(value) && isCalendarDate(day)) at = new Date(value);
  else
    return {
      field,
      message: `must be a date (2026-11-20, a day in ${complianceTimeZone()}) or a date-time with its time zone (2026-11-20T09:30:00+07:00)`,
    };
  if (Number.isNaN(at.getTime())) return { field, message: 'is not a real date-time' };
  if (at.getTime() > now.getTime() + 60_000) return { field, message: 'must not be in the future' };
  if (at.getTime() < Date.parse('1990-01-01T00:00:00Z')) return { field, message: 'must not be before 1990' };
  return at;
}

/** The period covered: two calendar days, the end not before the start. Problems name the field. */
export function checkPeriod(periodStart: string, periodEnd: string): DateProblem[] {
  const problems: DateProblem[] = [];
  if (!isCalendarDate(periodStart))
    problems.push({ field: 'periodStart', message: 'must be a calendar date written YYYY-MM-DD' });
  if (!isCalendarDate(periodEnd))
    problems.push({ field: 'periodEnd', message: 'must be a calendar date written YYYY-MM-DD' });
  if (problems.length === 0 && periodEnd < periodStart)
    problems.push({ field: 'periodEnd', message: 'must not be before periodStart' });
  return problems;
}

/** The `from`/`to` list filter on the evidence date: whole Asia/Bangkok days, `to` included. */
export function dayRange(
  from: string | undefined,
  to: string | undefined,
): { from?: Date; before?: Date } | DateProblem {
  const range: { from?: Date; before?: Date } = {};
  if (from !== undefined) {
    if (!isCalendarDate(from)) return { field: 'from', message: 'must be a calendar date written YYYY-MM-DD' };
    range.from = startOfDay(from);
  }
  if (to !== undefined) {
    if (!isCalendarDate(to)) return { field: 'to', message: 'must be a calendar date written YYYY-MM-DD' };
    range.before = endOfDay(to);
  }
  if (range.from && range.before && range.before <= range.from)
    return { field: 'to', message: 'must not be before from' };
  return range;
}
