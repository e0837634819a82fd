import { clockOf, intervalOf } from './key-clock';

const defaults = { third_party: 30, service_role: 90 };
const zone = 'Asia/Bangkok';

describe('a key’s interval and clock', () => {
  it.each([
    [{ kind: 'third_party' as const, intervalDays: null }, 30],
    [{ kind: 'service_role' as const, intervalDays: null }, 90],
    [{ kind: 'service_role' as const, intervalDays: 14 }, 14],
  ])('%o rotates every %i days', (key, days) => expect(intervalOf(key, defaults)).toBe(days));

  it('counts from the newest rotation, else from registration, to 23:59 ICT on the last day', () => {
    const createdAt = new Date('2026-11-01T03:00:00Z');
    const rotated = new Date('2026-12-01T03:00:00Z'); // 1 December, 10:00 ICT
    const key = { kind: 'third_party' as const, intervalDays: null, lastRotatedAt: rotated, createdAt };
    const clock = clockOf(key, defaults, new Date('2026-12-20T00:00:00Z'), zone);
    expect(clock).toMatchObject({ intervalDays: 30, state: 'ok', dueAt: new Date('2026-12-31T16:59:59.999Z') });
    const never = clockOf({ ...key, lastRotatedAt: null }, defaults, new Date('2026-12-01T17:00:00Z'), zone);
    expect([never.dueAt.toISOString(), never.state]).toEqual(['2026-12-01T16:59:59.999Z', 'overdue']);
    expect(clockOf(key, defaults, new Date('2026-12-24T17:00:00Z'), zone).state).toBe('due_soon');
  });
});
