import { parseWeek } from '../../common/time/calendar';
import { taskDueAt } from './cadence';
import { fairDueAt, taskTiming } from './due-date';

// Week 2026-W49: Monday 30 Nov – Sunday 6 Dec; nominal due Friday 4 Dec 18:00 ICT = 11:00Z.
const nominal = taskDueAt(parseWeek('2026-W49'), 5, 18, 0, 'Asia/Bangkok');
const fair = (openedAt: string, tz = 'Asia/Bangkok') => fairDueAt(nominal, new Date(openedAt), tz);

describe('fairDueAt: a sweep opened late gives its owners at least the rest of a working day', () => {
  it('the nominal due time is Friday 18:00 ICT', () => {
    expect(nominal.toISOString()).toBe('2026-12-04T11:00:00.000Z');
  });

  it.each([
    ['Monday 09:00 (the schedule)', '2026-11-30T02:00:00Z'],
    ['Thursday 17:59', '2026-12-03T10:59:00Z'],
    ['Thursday 18:00 exactly (one working day before due)', '2026-12-03T11:00:00Z'],
  ])('opened %s ICT: due at the nominal time, not late', (_, at) => {
    expect(fair(at)).toEqual({ dueAt: nominal, openedLate: false });
  });

  it.each([
    [
      'Thursday 18:01 → Friday 18:00 (the nominal time: never earlier)',
      '2026-12-03T11:01:00Z',
      '2026-12-04T11:00:00.000Z',
    ],
    ['Thursday 23:59 → Friday 18:00', '2026-12-03T16:59:00Z', '2026-12-04T11:00:00.000Z'],
    ['Friday 00:30, still Thursday in UTC → Monday 18:00', '2026-12-03T17:30:00Z', '2026-12-07T11:00:00.000Z'],
    ['Friday 09:00 → Monday 18:00', '2026-12-04T02:00:00Z', '2026-12-07T11:00:00.000Z'],
    ['exactly at the nominal due, Friday 18:00 → Monday 18:00', '2026-12-04T11:00:00Z', '2026-12-07T11:00:00.000Z'],
    ['Friday evening 21:00 → Monday 18:00', '2026-12-04T14:00:00Z', '2026-12-07T11:00:00.000Z'],
    ['Friday 23:59 → Monday 18:00', '2026-12-04T16:59:00Z', '2026-12-07T11:00:00.000Z'],
    ['Saturday 09:00 (the catch-up at start) → Monday 18:00', '2026-12-05T02:00:00Z', '2026-12-07T11:00:00.000Z'],
    ['Sunday 23:59 → Monday 18:00', '2026-12-06T16:59:00Z', '2026-12-07T11:00:00.000Z'],
    [
      'Monday 00:00 of the next week (a past week by hand) → Tuesday 18:00',
      '2026-12-06T17:00:00Z',
      '2026-12-08T11:00:00.000Z',
    ],
  ])('opened %s ICT', (_, at, due) => {
    expect(fair(at)).toEqual({ dueAt: new Date(due), openedLate: true });
  });

  it('does not depend on the server time zone', () => {
    const before = process.env.TZ;
    try {
      for (const tz of ['America/Los_Angeles', 'Pacific/Kiritimati', 'UTC']) {
        process.env.TZ = tz;
        expect(fair('2026-12-03T17:30:00Z').dueAt.toISOString()).toBe('2026-12-07T11:00:00.000Z');
        expect(fair('2026-12-03T16:59:00Z').dueAt.toISOString()).toBe('2026-12-04T11:00:00.000Z');
      }
    } finally {
      process.env.TZ = before;
    }
  });

  it('uses the zone it is given for working days and the time of day', () => {
    const londonNominal = taskDueAt(parseWeek('2026-W49'), 5, 18, 0, 'Europe/London'); // Friday 18:00 GMT
    // Friday 00:30 in Bangkok is still Thursday 17:30 in London: not yet late there.
    expect(fairDueAt(londonNominal, new Date('2026-12-03T17:30:00Z'), 'Europe/London')).toEqual({
      dueAt: londonNominal,
      openedLate: false,
    });
    expect(fairDueAt(londonNominal, new Date('2026-12-05T10:00:00Z'), 'Europe/London').dueAt.toISOString()).toBe(
      '2026-12-07T18:00:00.000Z',
    );
  });

  it('a due time on a Monday looks back to Friday for the last fair opening', () => {
    const monday = taskDueAt(parseWeek('2026-W50'), 1, 18, 0, 'Asia/Bangkok'); // Monday 7 Dec 18:00
    expect(fairDueAt(monday, new Date('2026-12-04T10:00:00Z'), 'Asia/Bangkok').openedLate).toBe(false); // Friday 17:00
    expect(fairDueAt(monday, new Date('2026-12-05T02:00:00Z'), 'Asia/Bangkok')).toEqual({
      dueAt: monday,
      openedLate: true,
    }); // Saturday → Monday 18:00
  });
});

describe('taskTiming: lateness against the due time the task had', () => {
  const dueAt = new Date('2026-12-07T11:00:00Z');
  it.each([
    [null, '2026-12-07T10:59:59Z', 'open'],
    [null, '2026-12-07T11:00:00Z', 'open'],
    [null, '2026-12-07T11:00:01Z', 'overdue'],
    ['2026-12-05T03:00:00Z', '2026-12-31T00:00:00Z', 'on_time'],
    ['2026-12-07T11:00:00Z', '2026-12-31T00:00:00Z', 'on_time'],
    ['2026-12-07T11:00:01Z', '2026-12-31T00:00:00Z', 'late'],
  ])('completed %s, at %s: %s', (completedAt, asOf, timing) => {
    expect(taskTiming({ dueAt, completedAt: completedAt ? new Date(completedAt) : null }, new Date(asOf))).toBe(timing);
  });
});
