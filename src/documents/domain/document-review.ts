// Review cadence of controlled documents (issue 17): when a document's review is due, when its owner is
// reminded, and when it is overdue. Pure; calendar days in the compliance time zone (Asia/Bangkok by default),
// whatever the server's own time zone.
import { addDays, parseDate, zonedInstant } from '../../common/time/calendar';
import { complianceTimeZone } from '../../common/time/zone';

/** The owner is asked to review from this many days before the review day. */
export const REVIEW_REMIND_DAYS_BEFORE = 30;

/** A review is due by 23:59 local time on the review day (as acknowledgements are due on their last day). */
export function reviewDueAt(nextReviewOn: string, tz = complianceTimeZone()): Date {
  return zonedInstant(parseDate(nextReviewOn), 23, 59, tz);
}

/** When the owner's review task starts: 00:00 local time `REVIEW_REMIND_DAYS_BEFORE` days before the review day. */
export function reviewRemindFrom(nextReviewOn: string, tz = complianceTimeZone()): Date {
  return zonedInstant(addDays(parseDate(nextReviewOn), -REVIEW_REMIND_DAYS_BEFORE), 0, 0, tz);
}

export type ReviewState = 'scheduled' | 'due_soon' | 'overdue';

/**
 * `overdue` strictly after the due time (23:59 local on the review day); `due_soon` from the reminder's start
 * until then; `scheduled` before. A new publication sets the next review day, which ends an overdue review.
 */
export function reviewState(nextReviewOn: string, now: Date, tz = complianceTimeZone()): ReviewState {
  if (now.getTime() > reviewDueAt(nextReviewOn, tz).getTime()) return 'overdue';
  return now.getTime() >= reviewRemindFrom(nextReviewOn, tz).getTime() ? 'due_soon' : 'scheduled';
}
