// The `from`/`to` filter of the audit-trail list. A date (YYYY-MM-DD) is a whole UTC day, so `to=2026-01-05`
// includes that day; a date-time must carry its zone (Z or ±hh:mm) and is taken as given. Times are shown in
// UTC too, so what the list shows and what the filter means agree.
import { ValidationError } from '../../common/errors/app-error';
import { DAY_MS } from '../../common/time/days';

export const DATE_OR_DATETIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/;
export const DATE_OR_DATETIME_MESSAGE =
  'must be a date (2026-01-05) or a date-time with its time zone (2026-01-05T10:00:00Z)';

/** `at >= from` and `at < before` (either may be absent). */
export interface TimeRange {
  from?: Date;
  before?: Date;
}

function parseBound(field: 'from' | 'to', value: string): { at: Date; dateOnly: boolean } {
  if (!DATE_OR_DATETIME.test(value)) throw new ValidationError([{ field, message: DATE_OR_DATETIME_MESSAGE }]);
  const dateOnly = value.length === 10;
  const at = new Date(dateOnly ? `${value}T00:00:00Z` : value);
  // new Date() rolls 2026-02-30 over to March: reject dates that do not exist.
  if (Number.isNaN(at.getTime()) || (dateOnly && at.toISOString().slice(0, 10) !== value)) {
    throw new ValidationError([{ field, message: 'is not a real date' }]);
  }
  return { at, dateOnly };
}

/** Turns the query's from/to into bounds; throws a ValidationError naming the field. */
export function timeRange(from: string | undefined, to: string | undefined): TimeRange {
  const range: TimeRange = {};
  if (from !== undefined) range.from = parseBound('from', from).at;
  if (to !== undefined) {
    const bound = parseBound('to', to);
    // A whole day for a date; one millisecond past the instant for a date-time (stored times have ms precision).
    range.before = new Date(bound.at.getTime() + (bound.dateOnly ? DAY_MS : 1));
  }
  if (range.from && range.before && range.before.getTime() <= range.from.getTime()) {
    throw new ValidationError([{ field: 'to', message: 'must not be before from' }]);
  }
  return range;
}
