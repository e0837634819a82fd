import { checkPeriod, dayRange, parseEvidenceDate } from './evidence-dates';
import { dayOf, isCalendarDate, startOfDay } from '../../common/time/days';

const NOW = new Date('2026-11-24T03:00:00Z'); // 10:00 on 24 November in Bangkok

describe('Asia/Bangkok calendar days', () => {
  it('starts a day at 00:00 +07:00', () => {
    expect(startOfDay('2026-11-24').toISOString()).toBe('2026-11-23T17:00:00.000Z');
  });

  it.each([
    ['2026-11-23T16:59:59.999Z', '2026-11-23'],
    ['2026-11-23T17:00:00.000Z', '2026-11-24'],
    ['2026-12-31T17:00:00.000Z', '2027-01-01'],
  ])('the Bangkok day of %s is %s', (at, day) => {
    expect(dayOf(new Date(at))).toBe(day);
  });

  it('knows real calendar dates', () => {
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2026-13-01')).toBe(false);
    expect(isCalendarDate('26-11-01')).toBe(false);
  });
});

describe('parseEvidenceDate', () => {
  it('takes a day as 00:00 in Bangkok, and a date-time with its zone as given', () => {
    expect((parseEvidenceDate('2026-11-20', NOW) as Date).toISOString()).toBe('2026-11-19T17:00:00.000Z');
    expect((parseEvidenceDate('2026-11-20T09:30:00+07:00', NOW) as Date).toISOString()).toBe(
      '2026-11-20T02:30:00.000Z',
    );
    expect((parseEvidenceDate('2026-11-24T02:59:00Z', NOW) as Date).toISOString()).toBe('2026-11-24T02:59:00.000Z');
  });

  it('today (Bangkok) is fine even early in the UTC day', () => {
    expect(parseEvidenceDate('2026-11-24', NOW)).toBeInstanceOf(Date);
  });

  it.each([
    ['2026-11-25', 'must not be in the future'],
    ['2026-11-24T03:02:00Z', 'must not be in the future'],
    ['1989-12-31', 'must not be before 1990'],
    ['2026-02-30', 'must be a date'],
    ['2026-11-20T09:30:00', 'must be a date'], // no zone
    ['yesterday', 'must be a date'],
  ])('%s: %s', (value, message) => {
    expect(parseEvidenceDate(value, NOW)).toEqual({ field: 'evidenceDate', message: expect.stringContaining(message) });
  });

  it('allows a minute of clock skew', () => {
    expect(parseEvidenceDate('2026-11-24T03:00:30Z', NOW)).toBeInstanceOf(Date);
  });
});

describe('checkPeriod', () => {
  it('accepts a period of one or more days', () => {
    expect(checkPeriod('2026-11-24', '2026-11-24')).toEqual([]);
    expect(checkPeriod('2026-10-01', '2026-12-31')).toEqual([]);
  });

  it('names the field at fault', () => {
    expect(checkPeriod('2026-12-31', '2026-10-01')).toEqual([
      { field: 'periodEnd', message: 'must not be before periodStart' },
    ]);
    expect(checkPeriod('2026-02-30', 'soon')).toEqual([
      { field: 'periodStart', message: expect.any(String) },
      { field: 'periodEnd', message: expect.any(String) },
    ]);
  });
});

describe('dayRange', () => {
  it('covers whole Bangkok days, the last one included', () => {
    expect(dayRange('2026-11-01', '2026-11-30')).toEqual({
      from: new Date('2026-10-31T17:00:00Z'),
      before: new Date('2026-11-30T17:00:00Z'),
    });
    expect(dayRange(undefined, undefined)).toEqual({});
  });

  it('names the field at fault', () => {
    expect(dayRange('2026-11-31', undefined)).toEqual({ field: 'from', message: expect.any(String) });
    expect(dayRange('2026-11-02', '2026-11-01')).toEqual({ field: 'to', message: 'must not be before from' });
  });
});
