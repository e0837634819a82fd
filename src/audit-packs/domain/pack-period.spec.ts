import { bangkokDayEnd, bangkokDayStart, isCalendarDate, scopeProblems } from './pack-period';

describe('pack period', () => {
  it('takes whole Asia/Bangkok days', () => {
    expect(bangkokDayStart('2026-01-01').toISOString()).toBe('2025-12-31T17:00:00.000Z');
    expect(bangkokDayEnd('2026-01-31').toISOString()).toBe('2026-01-31T17:00:00.000Z');
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
