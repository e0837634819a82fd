import { EMAIL_RETRY_DELAYS_MS, MAX_EMAIL_ATTEMPTS, nextEmailAttemptAt } from './email-retry';

const at = new Date('2026-11-23T02:00:00Z');
const plus = (ms: number) => new Date(at.getTime() + ms).toISOString();

describe('nextEmailAttemptAt: retries after 1 min, 5 min, 30 min and 2 h, then gives up', () => {
  it.each([
    [1, plus(60_000)],
    [2, plus(5 * 60_000)],
    [3, plus(30 * 60_000)],
    [4, plus(2 * 60 * 60_000)],
  ])('after %i failed attempt(s): next at %s', (attempts, expected) => {
    expect(nextEmailAttemptAt(attempts, at)?.toISOString()).toBe(expected);
  });

  it('gives up after the 5th attempt', () => {
    expect(MAX_EMAIL_ATTEMPTS).toBe(5);
    expect(nextEmailAttemptAt(5, at)).toBeNull();
    expect(nextEmailAttemptAt(6, at)).toBeNull();
  });

  it('spreads the five attempts over 2 h 36 min', () => {
    expect(EMAIL_RETRY_DELAYS_MS.reduce((a, b) => a + b, 0)).toBe((2 * 60 + 36) * 60_000);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses %p attempts (the count includes the one that just failed)', (attempts) => {
    expect(() => nextEmailAttemptAt(attempts, at)).toThrow(RangeError);
  });
});
