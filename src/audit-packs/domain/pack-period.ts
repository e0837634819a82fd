// An audit pack's scope: a framework key and a period of whole days in the compliance time zone
// (TZ_COMPLIANCE; Asia/Bangkok, UTC+07:00 all year, by default).
// Pure: no Nest, no TypeORM.
import { endOfDay, isCalendarDate } from '../../common/time/days';
import { wallClock, zoneLabel } from '../../common/time/zone';

const FRAMEWORK_KEY = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export interface ScopeProblem {
  field: string;
  message: string;
}

/** What is wrong with a requested scope, field by field (the framework's existence is checked elsewhere). */
export function scopeProblems(scope: { framework?: unknown; from?: unknown; to?: unknown }): ScopeProblem[] {
  const problems: ScopeProblem[] = [];
  if (typeof scope.framework !== 'string' || !FRAMEWORK_KEY.test(scope.framework))
    problems.push({ field: 'framework', message: 'must be a framework key such as soc2' });
  if (!isCalendarDate(scope.from))
    problems.push({ field: 'from', message: 'must be a calendar date written YYYY-MM-DD' });
  if (!isCalendarDate(scope.to)) problems.push({ field: 'to', message: 'must be a calendar date written YYYY-MM-DD' });
  if (isCalendarDate(scope.from) && isCalendarDate(scope.to) && scope.to < scope.from)
    problems.push({ field: 'to', message: 'must not be before from' });
  return problems;
}

/** The moment a pack states the controls' freshness at, and how it says so. */
export interface FreshnessAsOf {
  /** The instant (ISO 8601, UTC). */
  at: string;
  /** `period_end`: the period had ended when the pack was built; `built`: it had not, so the build time. */
  basis: 'period_end' | 'built';
  /** The words the pack uses, e.g. "as of the period's end (2026-12-31 24:00 ICT)". */
  statement: string;
}

/**
 * Freshness is stated as of the earlier of the period's end (00:00 after its last day in the compliance zone) and
 * the moment the pack was built: a pack built on 5 December for a period ending 31 December cannot know
 * how fresh anything will be at the end, and says it speaks of 5 December.
 */
export function freshnessAsOf(periodTo: string, builtAt: Date): FreshnessAsOf {
  const end = endOfDay(periodTo);
  if (end.getTime() <= builtAt.getTime())
    return {
      at: end.toISOString(),
      basis: 'period_end',
      statement: `as of the period's end (${periodTo} 24:00 ${zoneLabel()})`,
    };
  return {
    at: builtAt.toISOString(),
    basis: 'built',
    statement: `as of ${wallClock(builtAt)} ${zoneLabel()}, the moment this pack was built (before the period's end, ${periodTo})`,
  };
}
