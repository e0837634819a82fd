import { acknowledgementRate, acknowledgementsAt, inForceDuring, type TaskRecord } from './policy-records';

// A period of December 2026 in Asia/Bangkok: [2026-11-30T17:00Z, 2026-12-31T17:00Z).
const start = new Date('2026-11-30T17:00:00Z');
const end = new Date('2026-12-31T17:00:00Z');
const ms = (iso: string, delta = 0) => new Date(new Date(iso).getTime() + delta);

describe('inForceDuring', () => {
  const v = (publishedAt: string | null, supersededAt: string | null = null) => ({
    number: 1,
    material: true,
    publishedAt: publishedAt ? new Date(publishedAt) : null,
    supersededAt: supersededAt ? new Date(supersededAt) : null,
  });
  const cases: [string, ReturnType<typeof v>, boolean][] = [
    ['never published', v(null), false],
    ['published before, still in force', v('2026-06-01T00:00:00Z'), true],
    ['published in the period', v('2026-12-10T00:00:00Z'), true],
    ['published 1 ms before the end', v(ms('2026-12-31T17:00:00Z', -1).toISOString()), true],
    ['published exactly at the end (00:00 ICT on 1 January)', v('2026-12-31T17:00:00Z'), false],
    ['superseded 1 ms after the start', v('2026-06-01T00:00:00Z', ms('2026-11-30T17:00:00Z', 1).toISOString()), true],
    ['superseded exactly at the start', v('2026-06-01T00:00:00Z', '2026-11-30T17:00:00Z'), false],
    ['superseded before the period', v('2026-06-01T00:00:00Z', '2026-11-01T00:00:00Z'), false],
    ['superseded after the period', v('2026-06-01T00:00:00Z', '2027-02-01T00:00:00Z'), true],
  ];
  it.each(cases)('%s', (_, version, expected) => expect(inForceDuring(version, start, end)).toBe(expected));
});

describe('acknowledgementsAt (the records as they stood at the period end)', () => {
  const versions = [
    { number: 1, material: true, publishedAt: new Date('2026-06-01T03:00:00Z'), supersededAt: null },
    { number: 2, material: false, publishedAt: new Date('2026-09-01T03:00:00Z'), supersededAt: null },
  ];
  const task = (userId: string, versionNumber: number, extra: Partial<TaskRecord> = {}): TaskRecord => ({
    userId,
    versionNumber,
    createdAt: new Date('2026-06-01T03:00:00Z'),
    dueAt: new Date('2026-06-15T16:59:00Z'),
    acknowledgedAt: null,
    ...extra,
  });

  it('counts an acknowledgement 1 ms before the end, not one at the end', () => {
    const tasks = [
      task('a', 1, { acknowledgedAt: ms('2026-12-31T17:00:00Z', -1) }),
      task('b', 1, { acknowledgedAt: new Date('2026-12-31T17:00:00Z') }),
    ];
    expect(acknowledgementsAt(versions, tasks, end)).toEqual({
      basisVersion: 1,
      asked: 2,
      acknowledged: 1,
      overdue: 1,
      pending: 0,
    });
  });

  it('is overdue strictly after the due time: a task due at 23:59 ICT on the last day is overdue at the end', () => {
    const due = new Date('2026-12-31T16:59:00Z'); // 23:59 ICT, 31 December
    const tasks = [task('a', 1, { dueAt: due }), task('b', 1, { dueAt: new Date('2027-01-01T16:59:00Z') })];
    expect(acknowledgementsAt(versions, tasks, end)).toMatchObject({ asked: 2, overdue: 1, pending: 1 });
    // At the due time itself it is still pending.
    expect(acknowledgementsAt(versions, tasks, due)).toMatchObject({ asked: 2, overdue: 0, pending: 2 });
  });

  it('leaves out tasks created at or after the end, and counts a person once (their newest current task)', () => {
    const tasks = [
      task('a', 1, { acknowledgedAt: new Date('2026-07-01T00:00:00Z') }),
      // A top-up task for the non-material v2 of a person who already held one for v1: counted once, as v2.
      task('a', 2, { createdAt: new Date('2026-09-02T00:00:00Z'), dueAt: new Date('2027-09-16T16:59:00Z') }),
      task('c', 2, { createdAt: new Date('2026-12-31T17:00:00Z') }),
    ];
    expect(acknowledgementsAt(versions, tasks, end)).toEqual({
      basisVersion: 1,
      asked: 1,
      acknowledged: 0,
      overdue: 0,
      pending: 1,
    });
  });

  it('takes the basis as of the instant: a material version published after it does not count yet', () => {
    const later = [
      ...versions,
      { number: 3, material: true, publishedAt: new Date('2027-01-05T03:00:00Z'), supersededAt: null },
    ];
    const tasks = [
      task('a', 1, { acknowledgedAt: new Date('2026-07-01T00:00:00Z') }),
      task('a', 3, { createdAt: new Date('2027-01-05T03:00:00Z') }),
    ];
    expect(acknowledgementsAt(later, tasks, end)).toMatchObject({ basisVersion: 1, asked: 1, acknowledged: 1 });
    // After v3's publication a v1 acknowledgement is stale: only v3's task counts.
    const after = new Date('2027-01-06T00:00:00Z');
    expect(acknowledgementsAt(later, tasks, after)).toMatchObject({ basisVersion: 3, asked: 1, acknowledged: 0 });
  });

  it('asks nobody before a material version was published', () => {
    expect(acknowledgementsAt(versions, [task('a', 1)], new Date('2026-05-01T00:00:00Z'))).toEqual({
      basisVersion: null,
      asked: 0,
      acknowledged: 0,
      overdue: 0,
      pending: 0,
    });
  });
});

describe('acknowledgementRate', () => {
  it.each([
    [0, 0, null],
    [1, 8, 12.5],
    [2, 3, 66.7],
    [1, 16, 6.3],
    [7, 7, 100],
  ])('%i of %i → %s', (acknowledged, asked, rate) => expect(acknowledgementRate({ acknowledged, asked })).toBe(rate));
});
