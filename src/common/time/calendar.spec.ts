import {
  addDays,
  formatLocalTime,
  addMonths,
  formatDate,
  isoWeek,
  localDate,
  localTime,
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

  it('keeps one formatter per zone: zones used in turn each keep their own answer; an unknown zone throws every time', () => {
    const at = new Date('2026-12-31T17:30:00Z'); // Fri 1 Jan 2027 00:30 in Bangkok, still 31 Dec in London and New York
    for (let i = 0; i < 3; i++) {
      expect(formatDate(localDate(at, 'Asia/Bangkok'))).toBe('2027-01-01');
      expect(formatDate(localDate(at, 'America/New_York'))).toBe('2026-12-31');
      expect(localTime(at, 'Asia/Bangkok')).toEqual({ hour: 0, minute: 30 });
      expect(localTime(at, 'Europe/London')).toEqual({ hour: 17, minute: 30 });
      expect(formatLocalTime(at, 'Europe/London')).toBe('Thu 31 Dec 2026, 17:30 (Europe/London)');
      expect(() => localDate(at, 'Mars/Olympus')).toThrow(RangeError);
    }
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

  it('turns the UTC instants notices used to print into Bangkok wall-clock time', () => {
    expect(`by ${formatLocalTime('2026-12-04T11:00:00.000Z')}`).toBe('by Fri 4 Dec 2026, 18:00 (Asia/Bangkok)');
  });

  it.each([
    // The last minute of a Bangkok day is still that day, however early it is in UTC…
    ['2026-12-04T16:59:00.000Z', 'Fri 4 Dec 2026, 23:59 (Asia/Bangkok)'],
    ['2026-12-04T16:59:59.999Z', 'Fri 4 Dec 2026, 23:59 (Asia/Bangkok)'],
    // …and 17:00 UTC is midnight of the next one: 00:00, never 24:00.
    ['2026-12-04T17:00:00.000Z', 'Sat 5 Dec 2026, 00:00 (Asia/Bangkok)'],
    // A new year in Bangkok while it is still the old one in UTC.
    ['2026-12-31T17:00:00.000Z', 'Fri 1 Jan 2027, 00:00 (Asia/Bangkok)'],
    ['2028-02-28T17:30:00.000Z', 'Tue 29 Feb 2028, 00:30 (Asia/Bangkok)'],
  ])('%s reads %s', (iso, text) => {
    expect(formatLocalTime(iso)).toBe(text);
    expect(formatLocalTime(new Date(iso))).toBe(text);
  });

  it('names whichever zone it shows, with daylight saving time where the zone has it', () => {
    expect(formatLocalTime('2026-07-01T11:00:00Z', 'Europe/London')).toBe('Wed 1 Jul 2026, 12:00 (Europe/London)');
    expect(formatLocalTime('2026-12-01T11:00:00Z', 'Europe/London')).toBe('Tue 1 Dec 2026, 11:00 (Europe/London)');
    expect(formatLocalTime('2026-12-01T11:00:00Z', 'UTC')).toBe('Tue 1 Dec 2026, 11:00 (UTC)');
  });

  it('ignores the server’s own time zone (the runner is on UTC, not Bangkok)', () => {
    const at = new Date('2026-12-04T17:30:00Z');
    expect(at.getTimezoneOffset()).not.toBe(-7 * 60);
    expect(at.getDate()).toBe(4); // the server's local day…
    expect(formatLocalTime(at)).toBe('Sat 5 Dec 2026, 00:30 (Asia/Bangkok)'); // …is not the one shown
  });

  it('refuses what is not an instant rather than printing "Invalid Date"', () => {
    expect(() => formatLocalTime('not a date')).toThrow(RangeError);
    expect(() => formatLocalTime(new Date(Number.NaN))).toThrow(RangeError);
  });
});
