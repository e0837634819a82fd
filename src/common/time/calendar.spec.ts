import {
  addDays,
  formatLocalTime,
  addMonths,
  formatDate,
  isoWeek,
  localDate,
  parseDate,
  parseWeek,
  weekMonday,
  zonedInstant,
} from './calendar';

describe('calendar (explicit time zones)', () => {
  it.each([
    ['2026-11-23T16:59:59Z', '2026-W48'], // Mon 23:59:59 Bangkok
    ['2026-11-22T16:59:59Z', '2026-W47'], // Sun 23:59:59 Bangkok
    ['2026-11-22T17:00:00Z', '2026-W48'], // Mon 00:00 Bangkok, still Sunday in UTC
    ['2026-12-31T12:00:00Z', '2026-W53'], // 2026 has 53 ISO weeks
    ['2027-01-03T12:00:00Z', '2026-W53'],
    ['2027-01-03T17:00:00Z', '2027-W01'], // Mon 4 Jan 00:00 Bangkok
    ['2024-12-30T05:00:00Z', '2025-W01'],
  ])('%s is in %s (Asia/Bangkok)', (at, week) => {
    expect(isoWeek(new Date(at))).toBe(week);
  });

  it('uses the zone it is given', () => {
    expect(isoWeek(new Date('2026-11-22T17:00:00Z'), 'UTC')).toBe('2026-W47');
    expect(formatDate(localDate(new Date('2026-11-22T17:00:00Z'), 'Asia/Bangkok'))).toBe('2026-11-23');
  });

  it('parses weeks and refuses impossible ones', () => {
    expect(formatDate(weekMonday(parseWeek('2026-W48')))).toBe('2026-11-23');
    expect(formatDate(weekMonday(parseWeek('2026-W01')))).toBe('2025-12-29');
    expect(formatDate(weekMonday(parseWeek('2026-W53')))).toBe('2026-12-28');
    expect(() => parseWeek('2025-W53')).toThrow(RangeError);
    expect(() => parseWeek('2026-W00')).toThrow(RangeError);
    expect(() => parseWeek('2026-48')).toThrow(RangeError);
  });

  it('does date arithmetic across months, leap days and years', () => {
    expect(formatDate(addDays(parseDate('2028-02-28'), 1))).toBe('2028-02-29');
    expect(formatDate(addMonths(parseDate('2026-01-31'), 1))).toBe('2026-02-28');
    expect(formatDate(addMonths(parseDate('2026-11-15'), 3))).toBe('2027-02-15');
    expect(() => parseDate('2026-02-30')).toThrow(RangeError);
  });

  it('finds the instant of a local wall-clock time', () => {
    expect(zonedInstant(parseDate('2026-11-27'), 18, 0, 'Asia/Bangkok').toISOString()).toBe('2026-11-27T11:00:00.000Z');
    expect(zonedInstant(parseDate('2026-07-03'), 18, 0, 'Europe/London').toISOString()).toBe(
      '2026-07-03T17:00:00.000Z',
    );
    expect(zonedInstant(parseDate('2026-01-02'), 18, 0, 'Europe/London').toISOString()).toBe(
      '2026-01-02T18:00:00.000Z',
    );
  });
});

describe('formatLocalTime', () => {
  it('shows the local time with the zone named', () => {
    expect(formatLocalTime(new Date('2026-12-07T11:00:00Z'))).toBe('Mon 7 Dec 2026, 18:00 (Asia/Bangkok)');
    expect(formatLocalTime(new Date('2026-12-03T17:30:00Z'), 'Asia/Bangkok')).toBe(
      'Fri 4 Dec 2026, 00:30 (Asia/Bangkok)',
    );
  });
});
