// When a notification e-mail is tried again after a failure: 1 min, 5 min, 30 min, 2 h, then given up.

/** Waits after the 1st, 2nd, 3rd and 4th failed attempt; the 5th failure is final. */
export const EMAIL_RETRY_DELAYS_MS: readonly number[] = [60_000, 5 * 60_000, 30 * 60_000, 2 * 60 * 60_000];

/** Attempts in all (the first one and its retries) before a notification e-mail is marked failed. */
export const MAX_EMAIL_ATTEMPTS = EMAIL_RETRY_DELAYS_MS.length + 1;

/**
 * The time of the next attempt after `attempts` attempts have failed (the latest at `failedAt`),
 * or null when that was the last one allowed.
 */
export function nextEmailAttemptAt(attempts: number, failedAt: Date): Date | null {
  if (!Number.isInteger(attempts) || attempts < 1)
    throw new RangeError(`attempts must be a whole number of at least 1 (got ${attempts})`);
  if (attempts >= MAX_EMAIL_ATTEMPTS) return null;
  return new Date(failedAt.getTime() + EMAIL_RETRY_DELAYS_MS[attempts - 1]);
}
