import { parseDate, parseWeek } from '../../common/time/calendar';
import { expiresOn, freshness, isDueInWeek, taskDueAt } from './cadence';

describe('isDueInWeek', () => {
  it.each([
    ['weekly', '2026-W48', true],
    ['monthly', '2026-W48', false], // Monday 23 Nov
    ['monthly', '2026-W49', false], // Monday 30 Nov: the first Monday of December is 7 Dec
    ['monthly', '2026-W50', true], // Monday 7 Dec
    ['quarterly', '2026-W50', false],
    ['quarterly', '2026-W28', true], // Monday 6 Jul
    ['annual', '2026-W02', true], // Monday 5 Jan
    ['annual', '2026-W01', false], // Monday 29 Dec 2025
    ['annual', '2026-W28', false],
    ['event', '2026-W02', false], // evidence per occurrence: never a task by the calendar
    ['event', '2026-W50', false],
  ] as const)('%s in %s: %s', (cadence, week, due) => {
    expect(isDueInWeek(cadence, parseWeek(week))).toBe(due);
  });

  it('puts every monthly control in exactly one sweep a month', () => {
    const weeks = Array.from({ length: 53 }, (_, i) => `2026-W${String(i + 1).padStart(2, '0')}`);
    expect(weeks.filter((w) => isDueInWeek('monthly', parseWeek(w)))).toHaveLength(12);
    expect(weeks.filter((w) => isDueInWeek('quarterly', parseWeek(w)))).toHaveLength(4);
    expect(weeks.filter((w) => isDueInWeek('annual', parseWeek(w)))).toHaveLength(1);
    expect(weeks.filter((w) => isDueInWeek('event', parseWeek(w)))).toHaveLength(0);
  });
});

it('tasks are due on Friday 18:00 Bangkok by default', () => {
  expect(taskDueAt(parseWeek('2026-W48')).toISOString()).toBe('2026-11-27T11:00:00.000Z');
  expect(taskDueAt(parseWeek('2026-W48'), 1, 9, 30).toISOString()).toBe('2026-11-23T02:30:00.000Z');
});

describe('freshness (day boundaries in Asia/Bangkok)', () => {
  const at = (iso: string) => new Date(iso);
  it('is missing without evidence', () => {
    expect(freshness('weekly', null, at('2026-11-24T00:00:00Z'))).toBe('missing');
  });

  it.each([
    // weekly evidence of Monday 23 Nov counts through Sunday 29 Nov; the last 2 days are due_soon
    ['weekly', '2026-11-23', '2026-11-26T16:59:59Z', 'fresh'], // Thu 23:59:59 Bangkok
    ['weekly', '2026-11-23', '2026-11-27T17:00:00Z', 'due_soon'], // Sat 00:00 Bangkok
    ['weekly', '2026-11-23', '2026-11-29T16:59:59Z', 'due_soon'], // Sun 23:59:59 Bangkok
    ['weekly', '2026-11-23', '2026-11-29T17:00:00Z', 'stale'], // Mon 30 Nov 00:00 Bangkok (still Sunday in UTC)
    // monthly: evidence of 15 Oct counts until 15 Nov; warned from 8 Nov
    ['monthly', '2026-10-15', '2026-11-07T12:00:00Z', 'fresh'],
    ['monthly', '2026-10-15', '2026-11-08T00:00:00Z', 'due_soon'],
    ['monthly', '2026-10-15', '2026-11-14T16:59:59Z', 'due_soon'],
    ['monthly', '2026-10-15', '2026-11-14T17:00:00Z', 'stale'],
    // quarterly: 3 months, warned 14 days before
    ['quarterly', '2026-09-01', '2026-11-16T16:59:59Z', 'fresh'],
    ['quarterly', '2026-09-01', '2026-11-16T17:00:00Z', 'due_soon'],
    ['quarterly', '2026-09-01', '2026-12-01T00:00:00Z', 'stale'],
    // annual: 12 months, warned 30 days before
    ['annual', '2026-01-31', '2026-12-31T12:00:00Z', 'fresh'],
    ['annual', '2026-01-31', '2027-01-01T12:00:00Z', 'due_soon'],
    ['annual', '2026-01-31', '2027-01-31T00:00:00Z', 'stale'],
  ] as const)('%s evidence of %s at %s: %s', (cadence, of, now, expected) => {
    expect(freshness(cadence, parseDate(of), at(now))).toBe(expected);
  });

  it('a month-end date expires at the end of a shorter month', () => {
    expect(expiresOn('monthly', parseDate('2026-01-31'))).toEqual(parseDate('2026-02-28'));
  });

  it('depends on the zone for the same instant', () => {
    const now = at('2026-11-29T17:30:00Z'); // Monday 00:30 in Bangkok, Sunday 17:30 in UTC
    expect(freshness('weekly', parseDate('2026-11-23'), now, 'Asia/Bangkok')).toBe('stale');
    expect(freshness('weekly', parseDate('2026-11-23'), now, 'UTC')).toBe('due_soon');
  });
});

describe('freshness of an event cadence (evidence per occurrence, at most maxIntervalDays apart)', () => {
  const at = (iso: string) => new Date(iso);
  const pentest = { cadence: 'event' as const, maxIntervalDays: 365 };
  const release = { cadence: 'event' as const, maxIntervalDays: 30 };

  it('is missing until the first occurrence has evidence', () => {
    expect(freshness(pentest, null, at('2026-11-24T00:00:00Z'))).toBe('missing');
  });

  it.each([
    // a test of 10 Mar 2026 counts for 365 days (until 10 Mar 2027), warned in the last 30 days (from 8 Feb)
    [pentest, '2026-03-10', '2027-02-07T12:00:00Z', 'fresh'],
    [pentest, '2026-03-10', '2027-02-07T17:00:00Z', 'due_soon'], // 8 Feb 00:00 Bangkok
    [pentest, '2026-03-10', '2027-03-09T16:59:59Z', 'due_soon'],
    [pentest, '2026-03-10', '2027-03-09T17:00:00Z', 'stale'], // 10 Mar 2027 00:00 Bangkok
    // a 30-day maximum warns in the last quarter: 7 days
    [release, '2026-11-01', '2026-11-23T12:00:00Z', 'fresh'],
    [release, '2026-11-01', '2026-11-24T12:00:00Z', 'due_soon'],
    [release, '2026-11-01', '2026-12-01T12:00:00Z', 'stale'],
  ] as const)('%o evidence of %s at %s: %s', (schedule, of, now, expected) => {
    expect(freshness(schedule, parseDate(of), at(now))).toBe(expected);
    expect(expiresOn(schedule, parseDate(of))).toEqual(parseDate(of === '2026-03-10' ? '2027-03-10' : '2026-12-01'));
  });

  it('a calendar cadence given as a schedule behaves as the bare cadence', () => {
    expect(
      freshness({ cadence: 'monthly', maxIntervalDays: null }, parseDate('2026-10-15'), at('2026-11-14T17:00:00Z')),
    ).toBe('stale');
  });

  it('an event control without a maximum interval never expires once it has evidence', () => {
    expect(freshness('event', parseDate('2020-01-01'), at('2026-11-24T00:00:00Z'))).toBe('fresh');
    expect(expiresOn('event', parseDate('2020-01-01'))).toBeNull();
  });
});
