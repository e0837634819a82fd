import { setComplianceTimeZone } from '../../common/time/zone';
import { freshnessAsOf, scopeProblems } from './pack-period';
import { endOfDay, isCalendarDate, startOfDay } from '../../common/time/days';

describe('pack period', () => {
  it('takes whole Asia/Bangkok days', () => {
    expect(startOfDay('2026-01-01').toISOString()).toBe('2025-12-31T17:00:00.000Z');
    expect(endOfDay('2026-01-31').toISOString()).toBe('2026-01-31T17:00:00.000Z');
  });

  it.each([
    ['2026-02-28', true],
    ['2026-02-29', false],
    ['2024-02-29', true],
    ['2026-1-01', false],
    ['', false],
    [20260101, false],
  ])('isCalendarDate(%j) = %s', (v, ok) => expect(isCalendarDate(v)).toBe(ok));

  it.each([
    [{ framework: 'soc2', from: '2026-01-01', to: '2026-12-31' }, []],
    [{ framework: 'soc2', from: '2026-01-01', to: '2026-01-01' }, []],
    [{ framework: 'soc2', from: '2026-02-01', to: '2026-01-31' }, ['to']],
    [{ framework: 'SOC 2', from: '2026-01-01', to: '2026-12-31' }, ['framework']],
    [{ from: 'yesterday', to: '2026-13-01' }, ['framework', 'from', 'to']],
  ])('scopeProblems(%j) names %j', (scope, fields) => expect(scopeProblems(scope).map((p) => p.field)).toEqual(fields));
});

describe('freshnessAsOf: the earlier of the period end and the build, and which', () => {
  it('a pack built mid-period (5 December for a period ending 31 December) speaks of the moment it was built', () => {
    expect(freshnessAsOf('2026-12-31', new Date('2026-12-05T08:42:00Z'))).toEqual({
      at: '2026-12-05T08:42:00.000Z',
      basis: 'built',
      statement: "as of 2026-12-05 15:42 ICT, the moment this pack was built (before the period's end, 2026-12-31)",
    });
  });

  it("a pack built after the period speaks of the period's end", () => {
    expect(freshnessAsOf('2026-12-31', new Date('2027-01-15T03:00:00Z'))).toEqual({
      at: '2026-12-31T17:00:00.000Z',
      basis: 'period_end',
      statement: "as of the period's end (2026-12-31 24:00 ICT)",
    });
  });

  it('in another compliance time zone (TZ_COMPLIANCE=Europe/London), days and the label follow it', () => {
    setComplianceTimeZone('Europe/London');
    try {
      expect(freshnessAsOf('2026-07-31', new Date('2026-08-02T00:00:00Z'))).toEqual({
        at: '2026-07-31T23:00:00.000Z', // midnight BST
        basis: 'period_end',
        statement: "as of the period's end (2026-07-31 24:00 Europe/London)",
      });
      expect(freshnessAsOf('2026-07-31', new Date('2026-07-31T22:59:00Z')).statement).toContain(
        'as of 2026-07-31 23:59 Europe/London',
      );
    } finally {
      setComplianceTimeZone('Asia/Bangkok');
    }
  });

  it('at the edges: the last minute of the period is still before its end; its end exactly is the end', () => {
    expect(freshnessAsOf('2026-12-31', new Date('2026-12-31T16:59:00Z'))).toMatchObject({
      basis: 'built',
      statement: expect.stringContaining('2026-12-31 23:59 ICT'),
    });
    expect(freshnessAsOf('2026-12-31', new Date('2026-12-31T17:00:00Z')).basis).toBe('period_end');
  });
});
