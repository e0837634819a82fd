// Security-operations clocks (issue 18): when a key is due for rotation and when a finding must be fixed.
// Pure; every day boundary is in the zone given (the compliance time zone, Asia/Bangkok by default), through
// common/time, so the server's own time zone never matters. A deadline is the last moment of its last day,
// 23:59:59.999 local time: a key rotated on 1 December with a 30-day interval is due by the end of
// 31 December, as the document acknowledgement deadline counts (acknowledgementDueAt).
import { addDays, formatDate, localDate, parseDate } from '../../common/time/calendar';
import { endOfDay, startOfDay } from '../../common/time/days';

/** An open finding is `due_soon` from the start of the day this many days before its due day. */
export const FINDING_DUE_SOON_DAYS = 3;
/** A key's reminder goes out from the start of the day this many days before its due day, unless told. */
export const KEY_REMIND_BEFORE_DAYS = 7;

export interface KeyRotationClock {
  dueAt: Date;
  remindAt: Date;
  state: 'ok' | 'due_soon' | 'overdue';
}

export interface FindingClock {
  dueAt: Date;
  state: 'open' | 'due_soon' | 'overdue' | 'closed_in_time' | 'closed_late';
}

function wholeDays(name: string, n: number, min: number): void {
  if (!Number.isInteger(n) || n < min) throw new RangeError(`${name} must be a whole number of days, at least ${min}`);
}

/** The calendar day (YYYY-MM-DD in `zone`) `days` days after the day of `from`. */
function dayAfter(from: Date, days: number, zone: string): string {
  return formatDate(addDays(localDate(from, zone), days));
}

/** 00:00 in `zone` of the day `days` days before `day`. */
function startOfDayBefore(day: string, days: number, zone: string): Date {
  return startOfDay(formatDate(addDays(parseDate(day), -days)), zone);
}

/** 23:59:59.999 in `zone` on `day`. */
function lastMoment(day: string, zone: string): Date {
  return new Date(endOfDay(day, zone).getTime() - 1);
}

/**
 * A key's rotation clock: due at the end of the day `intervalDays` after its last rotation (never rotated:
 * after it was registered); reminded from 00:00 of the day `remindBeforeDays` before the due day (`due_soon`
 * from then), `overdue` strictly after the due moment.
 */
export function keyRotationClock(
  lastRotatedAt: Date | null,
  createdAt: Date,
  intervalDays: number,
  now: Date,
  zone: string,
  remindBeforeDays = KEY_REMIND_BEFORE_DAYS,
): KeyRotationClock {
  wholeDays('intervalDays', intervalDays, 1);
  wholeDays('remindBeforeDays', remindBeforeDays, 0);
  const dueDay = dayAfter(lastRotatedAt ?? createdAt, intervalDays, zone);
  const dueAt = lastMoment(dueDay, zone);
  const remindAt = startOfDayBefore(dueDay, remindBeforeDays, zone);
  const t = now.getTime();
  const state = t > dueAt.getTime() ? 'overdue' : t >= remindAt.getTime() ? 'due_soon' : 'ok';
  return { dueAt, remindAt, state };
}

/**
 * A finding's fix clock: due at the end of the day `slaDays` after it was opened. Closed: in time when closed
 * at or before the due moment, else late. Open: `overdue` strictly after the due moment, `due_soon` from 00:00
 * of the day FINDING_DUE_SOON_DAYS before the due day, else `open`.
 */
export function findingClock(
  openedAt: Date,
  slaDays: number,
  now: Date,
  zone: string,
  closedAt: Date | null,
): FindingClock {
  wholeDays('slaDays', slaDays, 1);
  const dueDay = dayAfter(openedAt, slaDays, zone);
  const dueAt = lastMoment(dueDay, zone);
  if (closedAt) return { dueAt, state: closedAt.getTime() <= dueAt.getTime() ? 'closed_in_time' : 'closed_late' };
  const soonFrom = startOfDayBefore(dueDay, FINDING_DUE_SOON_DAYS, zone);
  const t = now.getTime();
  return { dueAt, state: t > dueAt.getTime() ? 'overdue' : t >= soonFrom.getTime() ? 'due_soon' : 'open' };
}
