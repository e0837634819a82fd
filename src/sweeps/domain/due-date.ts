// When a sweep's tasks are due, and whether a task was late, measured against the due time it had. Pure.
import {
  compareDates,
  localDate,
  localTime,
  nextWorkingDay,
  previousWorkingDay,
  zonedInstant,
} from '../../common/time/calendar';
import { complianceTimeZone } from '../../common/time/zone';

/**
 * The due time a sweep's tasks get when the sweep opens at `openedAt`.
 *
 * Rule: tasks are due at the nominal time (SWEEP_DUE in the sweep's week, e.g. Friday 18:00) when the
 * sweep opens at or before the same time of day one working day earlier (Thursday 18:00): the owners
 * then have at least one working day. A sweep opened after that — late, e.g. by the catch-up at start on
 * a Saturday, or by hand for a past week — is due at the nominal time of day on the first working day
 * after the day it opened (in `tz`): Friday evening or the weekend → Monday 18:00; never earlier than the
 * nominal time. Working days are Monday to Friday in `tz`; public holidays are not modelled.
 */
export function fairDueAt(
  nominal: Date,
  openedAt: Date,
  tz = complianceTimeZone(),
): { dueAt: Date; openedLate: boolean } {
  const nominalDay = localDate(nominal, tz);
  const { hour, minute } = localTime(nominal, tz);
  const lastFairOpening = zonedInstant(previousWorkingDay(nominalDay), hour, minute, tz);
  if (openedAt.getTime() <= lastFairOpening.getTime()) return { dueAt: nominal, openedLate: false };
  const day = nextWorkingDay(localDate(openedAt, tz));
  const dueAt = compareDates(day, nominalDay) <= 0 ? nominal : zonedInstant(day, hour, minute, tz);
  return { dueAt, openedLate: true };
}

export type TaskTiming = 'open' | 'overdue' | 'on_time' | 'late';

/**
 * A task's timing at `asOf`, against the due time the task itself had: still open and before it (`open`),
 * still open after it (`overdue`, as the packs count it), done by it (`on_time`), done after it (`late`). An exception counts as done.
 */
export function taskTiming(task: { dueAt: Date; completedAt: Date | null }, asOf: Date): TaskTiming {
  if (task.completedAt === null) return asOf.getTime() > task.dueAt.getTime() ? 'overdue' : 'open';
  return task.completedAt.getTime() > task.dueAt.getTime() ? 'late' : 'on_time';
}
