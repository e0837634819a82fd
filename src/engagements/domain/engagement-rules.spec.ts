import { checkEngagement, engagementState, isActive, periodWithin } from './engagement-rules';

const now = new Date('2026-06-01T00:00:00Z');
const ok = { frameworks: ['soc2'], from: '2026-01-01', to: '2026-12-31', expiresAt: new Date('2027-01-31T00:00:00Z') };

describe('checkEngagement', () => {
  it('accepts a valid engagement, one day long included', () => {
    expect(checkEngagement(ok, now)).toEqual([]);
    expect(checkEngagement({ ...ok, to: ok.from }, now)).toEqual([]);
  });
  it.each([
    [{ frameworks: [] }, 'frameworks'],
    [{ frameworks: ['soc2', 'soc2'] }, 'frameworks'],
    [{ from: '2026-02-30' }, 'from'],
    [{ to: '26-12-31' }, 'to'],
    [{ from: '2026-12-31', to: '2026-01-01' }, 'to'],
    [{ expiresAt: now }, 'expiresAt'],
    [{ expiresAt: new Date('2026-05-31T23:59:59Z') }, 'expiresAt'],
    [{ expiresAt: new Date('nope') }, 'expiresAt'],
  ] as const)('%o is refused naming %s', (change, field) => {
    expect(checkEngagement({ ...ok, ...change } as typeof ok, now).map((p) => p.field)).toEqual([field]);
  });
});

describe('state', () => {
  it.each([
    [{ revokedAt: null, expiresAt: new Date('2026-06-01T00:00:01Z') }, 'active'],
    [{ revokedAt: null, expiresAt: now }, 'expired'],
    [{ revokedAt: new Date('2026-05-01T00:00:00Z'), expiresAt: new Date('2027-01-01T00:00:00Z') }, 'revoked'],
  ] as const)('%o is %s', (e, state) => {
    expect(engagementState(e, now)).toBe(state);
    expect(isActive(e, now)).toBe(state === 'active');
  });
});

describe('periodWithin', () => {
  const e = { from: '2026-01-01', to: '2026-06-30' };
  it.each([
    ['2026-01-01', '2026-06-30', true],
    ['2026-02-01', '2026-02-28', true],
    ['2025-12-31', '2026-06-30', false],
    ['2026-01-01', '2026-07-01', false],
    ['2026-03-01', '2026-02-01', false],
    ['2026-02-30', '2026-03-01', false],
  ] as const)('%s..%s: %s', (from, to, expected) => {
    expect(periodWithin(from, to, e)).toBe(expected);
  });
});
