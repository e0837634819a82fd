import { ValidationError } from '../common/errors/app-error';
import { addDays, formatDate, parseWeek, weekMonday } from '../common/time/calendar';
import type { AppConfig } from '../config/config';
import { taskDueAt } from './domain/cadence';

/** A week string that parses, or a 400 naming the field (e.g. 2025-W53 does not exist). */
export function weekOrError(week: string) {
  try {
    return parseWeek(week);
  } catch (e) {
    throw new ValidationError([{ field: 'week', message: (e as Error).message }]);
  }
}

/** The days of an ISO week, Monday to Sunday, as evidence periods. */
export function periodOf(week: string): { periodStart: string; periodEnd: string } {
  const monday = weekMonday(parseWeek(week));
  return { periodStart: formatDate(monday), periodEnd: formatDate(addDays(monday, 6)) };
}

/** The nominal due time of a week's tasks (SWEEP_DUE in that week, TZ_COMPLIANCE). */
export function nominalDueAt(week: string, config: Pick<AppConfig, 'sweepDue' | 'timeZone'>): Date {
  const { weekday, hour, minute } = config.sweepDue;
  return taskDueAt(parseWeek(week), weekday, hour, minute, config.timeZone);
}
