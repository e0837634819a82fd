// What makes an engagement valid and active. Pure: no Nest, no TypeORM. Periods are Asia/Bangkok days.
import type { FieldProblem } from '../../common/errors/app-error';
import { checkPeriod } from '../../evidence/domain/evidence-dates';
import { isCalendarDate } from '../../common/time/days';

export const ENGAGEMENT_REQUEST_STATUSES = ['open', 'answered'] as const;
export type EngagementRequestStatus = (typeof ENGAGEMENT_REQUEST_STATUSES)[number];

/** Longest request body and answer. */
export const ENGAGEMENT_TEXT_LIMIT = 4000;

export interface EngagementInput {
  frameworks: string[];
  from: string;
  to: string;
  expiresAt: Date;
}

/** Field problems of a new engagement (framework existence is the service's to check). */
export function checkEngagement(input: EngagementInput, now: Date): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (input.frameworks.length === 0)
    problems.push({ field: 'frameworks', message: 'must name at least one framework' });
  if (new Set(input.frameworks).size !== input.frameworks.length)
    problems.push({ field: 'frameworks', message: 'must not repeat a framework' });
  if (!isCalendarDate(input.from))
    problems.push({ field: 'from', message: 'must be a calendar date written YYYY-MM-DD' });
  if (!isCalendarDate(input.to)) problems.push({ field: 'to', message: 'must be a calendar date written YYYY-MM-DD' });
  if (isCalendarDate(input.from) && isCalendarDate(input.to) && input.to < input.from)
    problems.push({ field: 'to', message: 'must not be before from' });
  if (Number.isNaN(input.expiresAt.getTime())) problems.push({ field: 'expiresAt', message: 'is not a date-time' });
  else if (input.expiresAt.getTime() <= now.getTime())
    problems.push({ field: 'expiresAt', message: 'must be in the future' });
  return problems;
}

/** Active: not revoked and not yet expired at `now`. */
export function isActive(e: { revokedAt: Date | null; expiresAt: Date }, now: Date): boolean {
  return e.revokedAt === null && e.expiresAt.getTime() > now.getTime();
}

/** active | expired | revoked, for views. */
export function engagementState(
  e: { revokedAt: Date | null; expiresAt: Date },
  now: Date,
): 'active' | 'expired' | 'revoked' {
  if (e.revokedAt !== null) return 'revoked';
  return e.expiresAt.getTime() > now.getTime() ? 'active' : 'expired';
}

/** Whether the period from..to lies within the engagement's period (both inclusive). */
export function periodWithin(from: string, to: string, e: { from: string; to: string }): boolean {
  return checkPeriod(from, to).length === 0 && from >= e.from && to <= e.to;
}
