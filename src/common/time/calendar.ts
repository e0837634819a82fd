// ISO weeks, local days and period arithmetic in an explicit time zone (the compliance zone by default:
// TZ_COMPLIANCE, see zone.ts).
// Pure: Intl only. Bangkok has no daylight saving, but nothing here assumes a fixed offset.
import { complianceTimeZone } from './zone';

export interface LocalDate {
  year: number;
  month: number; // 1–12
  day: number;
}

/**
 * One formatter per (purpose, zone): building an `Intl.DateTimeFormat` costs far more than using one (it was
 * a sixth of the current sweep's CPU, issue 15). An unknown zone still throws its RangeError on every call.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
const FORMATS: Record<'date' | 'wall' | 'notice', [string, Intl.DateTimeFormatOptions]> = {
  date: ['en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' }],
  wall: [
    'en-US',
    { hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' },
  ],
  notice: [
    'en-GB',
    {
      hourCycle: 'h23',
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
    },
  ],
};
function formatter(purpose: keyof typeof FORMATS, tz: string): Intl.DateTimeFormat {
  const key = `${purpose} ${tz}`;
  let f = formatters.get(key);
  if (!f) {
    const [locale, options] = FORMATS[purpose];
    f = new Intl.DateTimeFormat(locale, { ...options, timeZone: tz });
    formatters.set(key, f);
  }
  return f;
}

/** The wall-clock hour and minute of an instant in a time zone. */
export function localTime(at: Date, tz = complianceTimeZone()): { hour: number; minute: number } {
  const parts = formatter('wall', tz).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return { hour: get('hour'), minute: get('minute') };
}

/** The calendar date of an instant in a time zone. */
export function localDate(at: Date, tz = complianceTimeZone()): LocalDate {
  const parts = formatter('date', tz).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return { year: get('year'), month: get('month'), day: get('day') };
}

export function formatDate(d: LocalDate): string {
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

export function parseDate(s: string): LocalDate {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) throw new RangeError(`not a date: ${s}`);
  const d = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  if (formatDate(addDays(d, 0)) !== s) throw new RangeError(`not a date: ${s}`);
  return d;
}

/** Date arithmetic on calendar dates (via UTC noon, so no zone can shift the day). */
export function addDays(d: LocalDate, days: number): LocalDate {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + days, 12));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

export function addMonths(d: LocalDate, months: number): LocalDate {
  const t = new Date(Date.UTC(d.year, d.month - 1 + months, 1, 12));
  const lastDay = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 0, 12)).getUTCDate();
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: Math.min(d.day, lastDay) };
}

/** 1 = Monday … 7 = Sunday. */
export function isoWeekday(d: LocalDate): number {
  const wd = new Date(Date.UTC(d.year, d.month - 1, d.day, 12)).getUTCDay();
  return wd === 0 ? 7 : wd;
}

export function compareDates(a: LocalDate, b: LocalDate): number {
  return formatDate(a).localeCompare(formatDate(b));
}

/** The instant a local wall-clock time happens in a zone (e.g. Friday 18:00 in Bangkok). */
export function zonedInstant(d: LocalDate, hour: number, minute: number, tz = complianceTimeZone()): Date {
  const guess = Date.UTC(d.year, d.month - 1, d.day, hour, minute);
  // The zone's offset at that moment: format the guess in the zone and compare.
  const parts = formatter('wall', tz).formatToParts(new Date(guess));
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const asLocal = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return new Date(guess - (asLocal - guess));
}

export interface IsoWeek {
  year: number;
  week: number;
}

export function isoWeekOfDate(d: LocalDate): IsoWeek {
  const thursday = addDays(d, 4 - isoWeekday(d));
  const jan1 = { year: thursday.year, month: 1, day: 1 };
  const dayOfYear = Math.round(
    (Date.UTC(thursday.year, thursday.month - 1, thursday.day) - Date.UTC(jan1.year, 0, 1)) / 86_400_000,
  );
  return { year: thursday.year, week: Math.floor(dayOfYear / 7) + 1 };
}

export function isoWeek(at: Date, tz = complianceTimeZone()): string {
  return formatWeek(isoWeekOfDate(localDate(at, tz)));
}

export function formatWeek(w: IsoWeek): string {
  return `${w.year}-W${String(w.week).padStart(2, '0')}`;
}

/** Parses `2026-W48`; throws RangeError for anything else, including week 53 of a 52-week year. */
export function parseWeek(s: string): IsoWeek {
  const m = /^(\d{4})-W(\d{2})$/.exec(s);
  if (!m) throw new RangeError(`not an ISO week like 2026-W48: ${s}`);
  const w = { year: Number(m[1]), week: Number(m[2]) };
  if (w.week < 1 || formatWeek(isoWeekOfDate(weekMonday(w))) !== s) throw new RangeError(`no such ISO week: ${s}`);
  return w;
}

/** Monday of an ISO week. */
export function weekMonday(w: IsoWeek): LocalDate {
  const jan4 = { year: w.year, month: 1, day: 4 };
  return addDays(jan4, (w.week - 1) * 7 - (isoWeekday(jan4) - 1));
}

/** Monday to Friday. Public holidays are not modelled: only Saturday and Sunday are days off. */
export function isWorkingDay(d: LocalDate): boolean {
  return isoWeekday(d) <= 5;
}

/** The first working day after `d` (Friday → Monday). */
export function nextWorkingDay(d: LocalDate): LocalDate {
  let next = addDays(d, 1);
  while (!isWorkingDay(next)) next = addDays(next, 1);
  return next;
}

/** The last working day before `d` (Monday → Friday). */
export function previousWorkingDay(d: LocalDate): LocalDate {
  let previous = addDays(d, -1);
  while (!isWorkingDay(previous)) previous = addDays(previous, -1);
  return previous;
}

/**
 * An instant as people read it in notices and messages, with the zone named: "Mon 7 Dec 2026, 18:00
 * (Asia/Bangkok)". Takes a Date or an ISO 8601 instant (views carry those); the server's own TZ never matters.
 */
export function formatLocalTime(instant: Date | string, tz = complianceTimeZone()): string {
  const at = typeof instant === 'string' ? new Date(instant) : instant;
  if (Number.isNaN(at.getTime())) throw new RangeError(`not an instant: ${String(instant)}`);
  const parts = formatter('notice', tz).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return `${get('weekday')} ${get('day')} ${get('month')} ${get('year')}, ${get('hour')}:${get('minute')} (${tz})`;
}
