import { dayOf, endOfDay, isCalendarDate, startOfDay } from './days';

describe('calendar days in the compliance time zone', () => {
  it.each([
    ['2026-12-31', true],
    ['2028-02-29', true],
    ['2026-02-29', false],
    ['2026-02-30', false],
    ['2026-13-01', false],
    ['2026-1-01', false],
    [' 2026-01-01', false],
    [20260101, false],
    [null, false],
  ])('isCalendarDate(%j) is %s', (value, ok) => {
    expect(isCalendarDate(value)).toBe(ok);
  });

  it('a Bangkok day starts at 17:00 UTC the day before and ends 24 hours later', () => {
    expect(startOfDay('2026-12-31').toISOString()).toBe('2026-12-30T17:00:00.000Z');
    expect(endOfDay('2026-12-31').toISOString()).toBe('2026-12-31T17:00:00.000Z');
    expect(endOfDay('2026-02-28').toISOString()).toBe('2026-02-28T17:00:00.000Z'); // not a leap year: next is 1 March
  });

  it('23:59 ICT is still the same day, 00:00 ICT the next, whatever the server time zone', () => {
    expect(dayOf(new Date('2026-12-31T16:59:59.999Z'))).toBe('2026-12-31');
    expect(dayOf(new Date('2026-12-31T17:00:00.000Z'))).toBe('2027-01-01');
    expect(dayOf(new Date('2026-12-31T23:59:00+07:00'))).toBe('2026-12-31');
  });

  it('other zones, including one with daylight saving time', () => {
    expect(startOfDay('2026-07-01', 'UTC').toISOString()).toBe('2026-07-01T00:00:00.000Z');
    expect(startOfDay('2026-07-01', 'Europe/Berlin').toISOString()).toBe('2026-06-30T22:00:00.000Z');
    expect(dayOf(new Date('2026-06-30T22:30:00Z'), 'Europe/Berlin')).toBe('2026-07-01');
  });
});
