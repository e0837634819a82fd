// Calendar quarters in an explicit time zone (Asia/Bangkok by default), for the quarterly risk review.
// Pure: the calendar helpers only.
import { localDate, zonedInstant } from '../../common/time/calendar';
import { complianceTimeZone } from '../../common/time/zone';

export interface Quarter {
  /** e.g. 2026-Q4. */
  key: string;
  year: number;
  /** 1–4. */
  quarter: number;
  /** First instant of the quarter (local midnight of its first day). */
  start: Date;
  /** First instant of the next quarter (exclusive end). */
  end: Date;
}

function quarterOfMonth(year: number, quarter: number, tz: string): Quarter {
  const startMonth = (quarter - 1) * 3 + 1;
  const next = quarter === 4 ? { year: year + 1, month: 1 } : { year, month: startMonth + 3 };
  return {
    key: `${year}-Q${quarter}`,
    year,
    quarter,
    start: zonedInstant({ year, month: startMonth, day: 1 }, 0, 0, tz),
    end: zonedInstant({ year: next.year, month: next.month, day: 1 }, 0, 0, tz),
  };
}

/** The quarter an instant falls in, by the calendar of `tz`. */
export function quarterOf(at: Date, tz = complianceTimeZone()): Quarter {
  const d = localDate(at, tz);
  return quarterOfMonth(d.year, Math.floor((d.month - 1) / 3) + 1, tz);
}

/** The quarter before `q`. */
export function previousQuarter(q: Quarter, tz = complianceTimeZone()): Quarter {
  return q.quarter === 1 ? quarterOfMonth(q.year - 1, 4, tz) : quarterOfMonth(q.year, q.quarter - 1, tz);
}
