import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findingClock, keyRotationClock } from './secops-clocks';

const BKK = 'Asia/Bangkok';
const at = (iso: string) => new Date(iso);
const ms = (d: Date, delta: number) => new Date(d.getTime() + delta);

describe('keyRotationClock', () => {
  // Rotated 1 December 2026, 10:00 ICT (03:00Z); a third-party key every 30 days.
  const rotated = at('2026-12-01T03:00:00Z');
  const created = at('2026-01-05T02:00:00Z');
  const clock = (now: Date, remind?: number) => keyRotationClock(rotated, created, 30, now, BKK, remind);

  it('is due at 23:59:59.999 ICT on the 30th day after the last rotation, reminded from 00:00 ICT 7 days before', () => {
    const c = clock(at('2026-12-10T00:00:00Z'));
    expect(c.dueAt.toISOString()).toBe('2026-12-31T16:59:59.999Z');
    expect(c.remindAt.toISOString()).toBe('2026-12-23T17:00:00.000Z');
    expect(c.state).toBe('ok');
  });

  it('turns due_soon at the reminder, stays so exactly at the deadline, overdue one ms after', () => {
    const { dueAt, remindAt } = clock(at('2026-12-10T00:00:00Z'));
    expect(clock(ms(remindAt, -1)).state).toBe('ok');
    expect(clock(remindAt).state).toBe('due_soon');
    expect(clock(at('2026-12-31T16:59:00Z')).state).toBe('due_soon'); // 23:59 ICT on the due day
    expect(clock(dueAt).state).toBe('due_soon');
    expect(clock(ms(dueAt, 1)).state).toBe('overdue'); // 00:00 ICT on 1 January
  });

  it('counts from the Bangkok day, not the UTC one: rotated at 01:00 ICT, still the previous day in UTC', () => {
    const c = keyRotationClock(at('2026-11-30T18:00:00Z'), created, 30, at('2026-12-02T00:00:00Z'), BKK);
    expect(c.dueAt.toISOString()).toBe('2026-12-31T16:59:59.999Z');
  });

  it('counts a rotation at 23:59 ICT as that day', () => {
    const c = keyRotationClock(at('2026-12-01T16:59:00Z'), created, 30, at('2026-12-02T00:00:00Z'), BKK);
    expect(c.dueAt.toISOString()).toBe('2026-12-31T16:59:59.999Z');
  });

  it('counts from registration when never rotated; a service-role key every 90 days', () => {
    const c = keyRotationClock(null, at('2026-10-01T05:00:00Z'), 90, at('2026-12-27T00:00:00Z'), BKK);
    expect(c.dueAt.toISOString()).toBe('2026-12-30T16:59:59.999Z');
    expect(c.state).toBe('due_soon');
  });

  it('takes another reminder lead, including none', () => {
    expect(clock(at('2026-12-10T00:00:00Z'), 14).remindAt.toISOString()).toBe('2026-12-16T17:00:00.000Z');
    const none = clock(at('2026-12-31T10:00:00Z'), 0);
    expect(none.remindAt.toISOString()).toBe('2026-12-30T17:00:00.000Z');
    expect(none.state).toBe('due_soon');
  });

  it('uses the zone it is given (a zone with daylight saving time moves the instant, not the day)', () => {
    // London: rotated 1 March 2026, 30 days → due end of 31 March, after the switch to BST (UTC+1).
    const c = keyRotationClock(at('2026-03-01T12:00:00Z'), created, 30, at('2026-03-02T00:00:00Z'), 'Europe/London');
    expect(c.dueAt.toISOString()).toBe('2026-03-31T22:59:59.999Z');
    expect(c.remindAt.toISOString()).toBe('2026-03-24T00:00:00.000Z'); // still GMT on 24 March
  });

  it('refuses an interval that is not a whole number of days', () => {
    expect(() => keyRotationClock(rotated, created, 0, rotated, BKK)).toThrow(RangeError);
    expect(() => keyRotationClock(rotated, created, 1.5, rotated, BKK)).toThrow(RangeError);
    expect(() => keyRotationClock(rotated, created, 30, rotated, BKK, -1)).toThrow(RangeError);
  });
});

describe('findingClock', () => {
  // A pen-test finding opened 1 December 2026, 15:00 ICT; critical and high fixed within 14 days.
  const opened = at('2026-12-01T08:00:00Z');
  const clock = (now: Date, closedAt: Date | null = null) => findingClock(opened, 14, now, BKK, closedAt);
  const dueAt = at('2026-12-15T16:59:59.999Z');

  it('is due at 23:59:59.999 ICT on the 14th day after it was opened', () => {
    expect(clock(opened)).toEqual({ dueAt, state: 'open' });
  });

  it('is due_soon from 00:00 ICT three days before the due day, still at the deadline, overdue one ms after', () => {
    expect(clock(at('2026-12-11T16:59:59.999Z')).state).toBe('open');
    expect(clock(at('2026-12-11T17:00:00Z')).state).toBe('due_soon'); // 00:00 ICT on 12 December
    expect(clock(at('2026-12-15T16:59:00Z')).state).toBe('due_soon'); // 23:59 ICT on the due day
    expect(clock(dueAt).state).toBe('due_soon');
    expect(clock(ms(dueAt, 1)).state).toBe('overdue');
  });

  it('is closed in time when closed at the deadline, late one ms after, whatever now is', () => {
    expect(clock(at('2027-06-01T00:00:00Z'), dueAt)).toEqual({ dueAt, state: 'closed_in_time' });
    expect(clock(at('2026-12-02T00:00:00Z'), ms(dueAt, 1))).toEqual({ dueAt, state: 'closed_late' });
    expect(clock(at('2026-12-02T00:00:00Z'), at('2026-12-01T09:00:00Z')).state).toBe('closed_in_time');
  });

  it('counts from the Bangkok day: opened 23:30 UTC on 1 December is 2 December in Bangkok', () => {
    const c = findingClock(at('2026-12-01T23:30:00Z'), 14, at('2026-12-02T00:00:00Z'), BKK, null);
    expect(c.dueAt.toISOString()).toBe('2026-12-16T16:59:59.999Z');
  });

  it('ENG-04’s 60 days for a medium finding, across a month end and a year end', () => {
    expect(
      findingClock(at('2026-11-15T03:00:00Z'), 60, at('2026-11-15T03:00:00Z'), BKK, null).dueAt.toISOString(),
    ).toBe('2027-01-14T16:59:59.999Z');
  });

  it('gives the same instants whatever zone the process runs in (only the zone argument counts)', () => {
    // The runner's TZ is UTC; the answer must be Bangkok's, which differs from a UTC-day computation here.
    const c = findingClock(at('2026-12-01T20:00:00Z'), 1, at('2026-12-01T20:00:00Z'), BKK, null);
    expect(c.dueAt.toISOString()).toBe('2026-12-03T16:59:59.999Z');
    const utc = findingClock(at('2026-12-01T20:00:00Z'), 1, at('2026-12-01T20:00:00Z'), 'UTC', null);
    expect(utc.dueAt.toISOString()).toBe('2026-12-02T23:59:59.999Z');
  });

  it('refuses an SLA that is not a whole number of days', () => {
    expect(() => findingClock(opened, 0, opened, BKK, null)).toThrow(RangeError);
    expect(() => findingClock(opened, 2.5, opened, BKK, null)).toThrow(RangeError);
  });
});

describe('the clocks’ source', () => {
  it('never reads or sets the process’s local time (tests cannot change TZ in-process, so this guards it)', () => {
    const source = readFileSync(join(__dirname, 'secops-clocks.ts'), 'utf8');
    expect(source).not.toMatch(
      /\.(get|set)(FullYear|Month|Date|Day|Hours|Minutes|Seconds)\(|getTimezoneOffset|toLocale(Date|Time)?String|new Date\(\d/,
    );
  });
});
