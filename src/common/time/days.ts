// Calendar days in the compliance time zone (TZ_COMPLIANCE, Asia/Bangkok by default): the one place that
// turns "2026-12-31" into instants and instants into days. Evidence periods, pack periods, engagements and
// the DSR day counts all use it. Pure: Intl only, nothing assumes a fixed offset.
import { addDays, formatDate, localDate, parseDate, zonedInstant } from './calendar';
import { complianceTimeZone } from './zone';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** True for a real calendar date written YYYY-MM-DD (2026-02-30 is not one). */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string' || !DATE.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** 00:00 of a calendar day (YYYY-MM-DD) in `tz`. */
export function startOfDay(day: string, tz = complianceTimeZone()): Date {
  return zonedInstant(parseDate(day), 0, 0, tz);
}

/** 00:00 of the day after `day` in `tz`: the exclusive end of a period ending on `day`. */
export function endOfDay(day: string, tz = complianceTimeZone()): Date {
  return zonedInstant(addDays(parseDate(day), 1), 0, 0, tz);
}

/** The calendar day of an instant in `tz`, as YYYY-MM-DD. */
export function dayOf(at: Date, tz = complianceTimeZone()): string {
  return formatDate(localDate(at, tz));
}
