// Quarters by the Bangkok calendar (UTC+7): boundaries are local midnights, not UTC ones.
import { previousQuarter, quarterOf } from './quarter';

describe('quarterOf (Asia/Bangkok)', () => {
  it.each([
    ['2026-01-01T00:00:00+07:00', '2026-Q1', '2025-12-31T17:00:00.000Z', '2026-03-31T17:00:00.000Z'],
    ['2025-12-31T17:00:00Z', '2026-Q1', '2025-12-31T17:00:00.000Z', '2026-03-31T17:00:00.000Z'], // already 1 January in Bangkok
    ['2025-12-31T16:59:59Z', '2025-Q4', '2025-09-30T17:00:00.000Z', '2025-12-31T17:00:00.000Z'],
    ['2026-05-15T12:00:00+07:00', '2026-Q2', '2026-03-31T17:00:00.000Z', '2026-06-30T17:00:00.000Z'],
    ['2026-09-30T23:59:00+07:00', '2026-Q3', '2026-06-30T17:00:00.000Z', '2026-09-30T17:00:00.000Z'],
    ['2026-10-01T09:00:00+07:00', '2026-Q4', '2026-09-30T17:00:00.000Z', '2026-12-31T17:00:00.000Z'],
  ])('%s is in %s [%s, %s)', (at, key, start, end) => {
    const q = quarterOf(new Date(at));
    expect([q.key, q.start.toISOString(), q.end.toISOString()]).toEqual([key, start, end]);
    expect(q.start.getTime()).toBeLessThanOrEqual(new Date(at).getTime());
    expect(new Date(at).getTime()).toBeLessThan(q.end.getTime());
  });
  it('uses the zone it is given', () => {
    expect(quarterOf(new Date('2025-12-31T20:00:00Z'), 'UTC').key).toBe('2025-Q4');
    expect(quarterOf(new Date('2025-12-31T20:00:00Z'), 'Asia/Bangkok').key).toBe('2026-Q1');
  });
  it('previousQuarter crosses the year and ends where the next one starts', () => {
    const q1 = quarterOf(new Date('2026-02-10T00:00:00Z'));
    const q4 = previousQuarter(q1);
    expect(q4.key).toBe('2025-Q4');
    expect(q4.end.toISOString()).toBe(q1.start.toISOString());
    expect(previousQuarter(quarterOf(new Date('2026-08-01T00:00:00Z'))).key).toBe('2026-Q2');
  });
});
