import { alertsFor, backupsExpireAt, clocks, clockStatistics, deadlines, describeRemaining, DSR_RIGHTS, STATUTORY_DAYS } from './dsr-clocks';

const received = new Date('2026-11-02T02:00:00.000Z');
const DAY = 86_400_000;

describe('deadlines', () => {
  it.each([
    ['access', '2026-12-02T02:00:00.000Z'],
    ['erasure', '2027-01-31T02:00:00.000Z'],
    ['objection', '2026-11-02T02:00:00.000Z'],
    ['portability', null],
    ['restriction', null],
    ['rectification', null],
    ['withdraw_consent', null],
  ] as const)('%s: internal 7 days, statutory %s', (right, statutory) => {
    const d = deadlines(right, received);
    expect(d.dueAt.toISOString()).toBe('2026-11-09T02:00:00.000Z');
    expect(d.statutoryDueAt?.toISOString() ?? null).toBe(statutory);
  });

  it('covers every right', () => {
    expect(Object.keys(STATUTORY_DAYS).sort()).toEqual([...DSR_RIGHTS].sort());
  });
});

describe('clocks', () => {
  const input = { dueAt: new Date(received.getTime() + 7 * DAY), statutoryDueAt: new Date(received.getTime() + 30 * DAY), receivedAt: received, verifiedAt: null, closedAt: null };

  it('runs while open: ok, due soon within 2 days, overdue after', () => {
    expect(clocks(input, new Date(received.getTime() + DAY)).internal).toMatchObject({ state: 'ok', remainingMs: 6 * DAY });
    expect(clocks(input, new Date(received.getTime() + 5.5 * DAY)).internal.state).toBe('due_soon');
    const late = clocks(input, new Date(received.getTime() + 8 * DAY));
    expect(late.internal).toMatchObject({ state: 'overdue', remainingMs: -DAY });
    expect(late.statutory).toMatchObject({ state: 'ok' });
  });

  it('stops when closed: met or missed', () => {
    expect(clocks({ ...input, closedAt: new Date(received.getTime() + 3 * DAY) }, new Date(received.getTime() + 40 * DAY)).internal).toEqual({ dueAt: input.dueAt.toISOString(), remainingMs: null, state: 'met' });
    expect(clocks({ ...input, closedAt: new Date(received.getTime() + 9 * DAY) }, new Date()).internal.state).toBe('missed');
    expect(clocks({ ...input, closedAt: new Date(received.getTime() + 9 * DAY) }, new Date()).statutory!.state).toBe('met');
  });

  it('shows the wait for identity separately, still running until verified', () => {
    expect(clocks(input, new Date(received.getTime() + 2 * DAY)).identityWaitMs).toBe(2 * DAY);
    expect(clocks({ ...input, verifiedAt: new Date(received.getTime() + 3_600_000) }, new Date(received.getTime() + 2 * DAY)).identityWaitMs).toBe(3_600_000);
  });

  it('has no statutory clock for rights without one', () => {
    expect(clocks({ ...input, statutoryDueAt: null }, received).statutory).toBeNull();
  });
});

describe('alerts', () => {
  const at = (days: number, statutoryDays = 30) =>
    alertsFor(clocks({ dueAt: new Date(received.getTime() + 7 * DAY), statutoryDueAt: new Date(received.getTime() + statutoryDays * DAY), receivedAt: received, verifiedAt: null, closedAt: null }, new Date(received.getTime() + days * DAY)));

  it('reminds before the internal SLA, escalates after it and near the statutory deadline', () => {
    expect(at(1)).toEqual([]);
    expect(at(6).map((a) => `${a.kind}:${a.clock}`)).toEqual(['reminder:internal']);
    expect(at(8).map((a) => `${a.kind}:${a.clock}`)).toEqual(['escalation:internal']);
    expect(at(29).map((a) => `${a.kind}:${a.clock}`)).toEqual(['escalation:internal', 'escalation:statutory']);
    // Objection: the statutory clock is due at receipt, so it escalates at once.
    expect(at(0, 0).map((a) => `${a.kind}:${a.clock}`)).toEqual(['escalation:statutory']);
  });
});

it('describes time left and late', () => {
  expect(describeRemaining(3 * DAY + 4 * 3_600_000)).toBe('3d 4h left');
  expect(describeRemaining(-2 * 3_600_000 - 5 * 60_000)).toBe('2h 5m late');
  expect(describeRemaining(null)).toBe('closed');
});

it('backups expire retention days after erasure', () => {
  expect(backupsExpireAt(received, 35).toISOString()).toBe('2026-12-07T02:00:00.000Z');
});

it('clock statistics count met, missed and open requests as they stood at a moment', () => {
  const r = (right: string, closedAfterDays: number | null, statutoryDays: number | null = null) => ({
    right,
    receivedAt: received,
    verifiedAt: null,
    dueAt: new Date(received.getTime() + 7 * DAY),
    statutoryDueAt: statutoryDays === null ? null : new Date(received.getTime() + statutoryDays * DAY),
    closedAt: closedAfterDays === null ? null : new Date(received.getTime() + closedAfterDays * DAY),
  });
  const asOf = new Date(received.getTime() + 20 * DAY);
  expect(clockStatistics([r('access', 3, 30), r('erasure', 10, 90), r('access', null, 30), r('rectification', 25)], asOf)).toEqual({
    received: 4,
    closed: 2,
    open: 2, // one never closed, one closed only after asOf
    metInternal: 1,
    missedInternal: 3,
    metStatutory: 2,
    missedStatutory: 0,
    byRight: { access: 2, erasure: 1, rectification: 1 },
  });
});
