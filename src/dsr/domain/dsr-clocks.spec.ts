import {
  alertsFor,
  backupsExpireAt,
  clocks,
  clockStatistics,
  deadlines,
  describeRemaining,
  DSR_RIGHTS,
  SEPARATION_ALERT_MS,
  separationDueAt,
  STATUTORY_DAYS,
} from './dsr-clocks';
import { separationOwedFrom } from './dsr-grounds';

const received = new Date('2026-11-02T02:00:00.000Z');
const DAY = 86_400_000;

describe('deadlines', () => {
  it.each([
    ['access', '2026-12-02T02:00:00.000Z'],
    ['erasure', '2027-01-31T02:00:00.000Z'],
    ['objection', null], // no day count: measured from receipt to separation (below)
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
  const input = {
    dueAt: new Date(received.getTime() + 7 * DAY),
    statutoryDueAt: new Date(received.getTime() + 30 * DAY),
    receivedAt: received,
    verifiedAt: null,
    closedAt: null,
  };

  it('runs while open: ok, due soon within 2 days, overdue after', () => {
    expect(clocks(input, new Date(received.getTime() + DAY)).internal).toMatchObject({
      state: 'ok',
      remainingMs: 6 * DAY,
    });
    expect(clocks(input, new Date(received.getTime() + 5.5 * DAY)).internal.state).toBe('due_soon');
    const late = clocks(input, new Date(received.getTime() + 8 * DAY));
    expect(late.internal).toMatchObject({ state: 'overdue', remainingMs: -DAY });
    expect(late.statutory).toMatchObject({ state: 'ok' });
  });

  it('stops when closed: met or missed', () => {
    expect(
      clocks({ ...input, closedAt: new Date(received.getTime() + 3 * DAY) }, new Date(received.getTime() + 40 * DAY))
        .internal,
    ).toEqual({ dueAt: input.dueAt.toISOString(), remainingMs: null, state: 'met' });
    expect(clocks({ ...input, closedAt: new Date(received.getTime() + 9 * DAY) }, new Date()).internal.state).toBe(
      'missed',
    );
    expect(clocks({ ...input, closedAt: new Date(received.getTime() + 9 * DAY) }, new Date()).statutory!.state).toBe(
      'met',
    );
  });

  it('shows the wait for identity separately, still running until verified', () => {
    expect(clocks(input, new Date(received.getTime() + 2 * DAY)).identityWaitMs).toBe(2 * DAY);
    expect(
      clocks({ ...input, verifiedAt: new Date(received.getTime() + 3_600_000) }, new Date(received.getTime() + 2 * DAY))
        .identityWaitMs,
    ).toBe(3_600_000);
  });

  it('has no statutory clock for rights without one', () => {
    expect(clocks({ ...input, statutoryDueAt: null }, received).statutory).toBeNull();
  });
});

describe('alerts', () => {
  const at = (days: number, statutoryDays = 30) =>
    alertsFor(
      clocks(
        {
          dueAt: new Date(received.getTime() + 7 * DAY),
          statutoryDueAt: new Date(received.getTime() + statutoryDays * DAY),
          receivedAt: received,
          verifiedAt: null,
          closedAt: null,
        },
        new Date(received.getTime() + days * DAY),
      ),
    );

  it('reminds before the internal SLA, escalates after it and near the statutory deadline', () => {
    expect(at(1)).toEqual([]);
    expect(at(6).map((a) => `${a.kind}:${a.clock}`)).toEqual(['reminder:internal']);
    expect(at(8).map((a) => `${a.kind}:${a.clock}`)).toEqual(['escalation:internal']);
    expect(at(29).map((a) => `${a.kind}:${a.clock}`)).toEqual(['escalation:internal', 'escalation:statutory']);
  });
});

describe('objection: the statutory measure is receipt → separation applied (PDPA s. 32 para 2)', () => {
  const tenAm = new Date('2026-11-02T03:00:00.000Z'); // 10:00 in Bangkok
  const objection = (
    ground: string,
    over: Partial<{ verifiedAt: Date | null; separatedAt: Date | null; closedAt: Date | null }> = {},
  ) => {
    const verifiedAt = over.verifiedAt ?? null;
    return {
      right: 'objection',
      receivedAt: tenAm,
      dueAt: new Date(tenAm.getTime() + 7 * DAY),
      statutoryDueAt: separationDueAt(separationOwedFrom(ground, tenAm, verifiedAt)),
      verifiedAt,
      separatedAt: over.separatedAt ?? null,
      closedAt: over.closedAt ?? null,
    };
  };

  it('received at 10:00 and flagged at 10:00:05 is met, shown as 5 s, whenever the request closes', () => {
    const flagged = new Date(tenAm.getTime() + 5_000);
    for (const closedAt of [null, new Date(tenAm.getTime() + 3_600_000), new Date(tenAm.getTime() + 30 * DAY)]) {
      expect(
        clocks(objection('direct_marketing', { separatedAt: flagged, closedAt }), new Date(tenAm.getTime() + 40 * DAY))
          .statutory,
      ).toMatchObject({ state: 'met', elapsedMs: 5_000, remainingMs: null, measure: 'separation' });
    }
  });

  it('does not escalate on arrival: direct marketing is owed at receipt, overdue only an hour after', () => {
    const c = (after: number) => clocks(objection('direct_marketing'), new Date(tenAm.getTime() + after));
    expect(c(0).statutory).toMatchObject({ state: 'ok', remainingMs: SEPARATION_ALERT_MS, elapsedMs: 0 });
    expect(alertsFor(c(0))).toEqual([]);
    expect(c(SEPARATION_ALERT_MS + 1).statutory!.state).toBe('overdue');
    expect(alertsFor(c(SEPARATION_ALERT_MS + 1)).map((a) => `${a.kind}:${a.clock}`)).toEqual(['escalation:statutory']);
  });

  it('other grounds are owed from identity verification: not owed (and never escalated) while unverified', () => {
    const waiting = clocks(objection('public_task_or_legitimate_interest'), new Date(tenAm.getTime() + 2 * DAY));
    expect(waiting.statutory).toMatchObject({ state: 'not_owed', dueAt: null, remainingMs: null, elapsedMs: 2 * DAY });
    expect(alertsFor(waiting).filter((a) => a.clock === 'statutory')).toEqual([]);
    const verifiedAt = new Date(tenAm.getTime() + DAY);
    expect(
      clocks(objection('research', { verifiedAt }), new Date(verifiedAt.getTime() + 2 * SEPARATION_ALERT_MS)).statutory!
        .state,
    ).toBe('overdue');
    // Rejected without ever being verified: separation was never owed, so it is neither met nor missed.
    expect(
      clocks(objection('research', { closedAt: verifiedAt }), new Date(tenAm.getTime() + 3 * DAY)).statutory!.state,
    ).toBe('not_owed');
  });

  it('closing while separation was owed and not applied is a miss', () => {
    expect(
      clocks(
        objection('direct_marketing', { closedAt: new Date(tenAm.getTime() + 60_000) }),
        new Date(tenAm.getTime() + DAY),
      ).statutory!.state,
    ).toBe('missed');
  });

  it('clock statistics count a separated objection as met, not as missed at closing', () => {
    const flagged = new Date(tenAm.getTime() + 5_000);
    const stats = clockStatistics(
      [
        objection('direct_marketing', { separatedAt: flagged, closedAt: new Date(tenAm.getTime() + 3_600_000) }),
        objection('public_task_or_legitimate_interest'),
        objection('direct_marketing', { separatedAt: new Date(tenAm.getTime() + 30 * DAY) }), // separated after asOf
      ],
      new Date(tenAm.getTime() + 2 * DAY),
    );
    expect(stats).toMatchObject({
      metStatutory: 1,
      missedStatutory: 1,
      objections: { received: 3, separated: 1, notOwed: 1, longestSeparationMs: 5_000 },
    });
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
  expect(
    clockStatistics([r('access', 3, 30), r('erasure', 10, 90), r('access', null, 30), r('rectification', 25)], asOf),
  ).toEqual({
    received: 4,
    closed: 2,
    open: 2, // one never closed, one closed only after asOf
    metInternal: 1,
    missedInternal: 3,
    metStatutory: 2,
    missedStatutory: 0,
    byRight: { access: 2, erasure: 1, rectification: 1 },
    objections: { received: 0, separated: 0, notOwed: 0, longestSeparationMs: null },
  });
});
