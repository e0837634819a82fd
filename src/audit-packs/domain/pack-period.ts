// An audit pack's scope: a framework key and a period of whole Asia/Bangkok days (UTC+07:00 all year).
// Pure: no Nest, no TypeORM.

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const FRAMEWORK_KEY = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const DAY_MS = 86_400_000;

export interface ScopeProblem {
  field: string;
  message: string;
}

/** True for a real calendar date written YYYY-MM-DD (2026-02-30 is not one). */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string' || !DATE.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** 00:00 Asia/Bangkok of a day. */
export function bangkokDayStart(day: string): Date {
  return new Date(`${day}T00:00:00+07:00`);
}

/** 00:00 Asia/Bangkok of the day after `day`: the exclusive end of a period ending on `day`. */
export function bangkokDayEnd(day: string): Date {
  return new Date(bangkokDayStart(day).getTime() + DAY_MS);
}

/** What is wrong with a requested scope, field by field (the framework's existence is checked elsewhere). */
export function scopeProblems(scope: { framework?: unknown; from?: unknown; to?: unknown }): ScopeProblem[] {
  const problems: ScopeProblem[] = [];
  if (typeof scope.framework !== 'string' || !FRAMEWORK_KEY.test(scope.framework)) problems.push({ field: 'framework', message: 'must be a framework key such as soc2' });
  if (!isCalendarDate(scope.from)) problems.push({ field: 'from', message: 'must be a calendar date written YYYY-MM-DD' });
  if (!isCalendarDate(scope.to)) problems.push({ field: 'to', message: 'must be a calendar date written YYYY-MM-DD' });
  if (isCalendarDate(scope.from) && isCalendarDate(scope.to) && scope.to < scope.from) problems.push({ field: 'to', message: 'must not be before from' });
  return problems;
}
