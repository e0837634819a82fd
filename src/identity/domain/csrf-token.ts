// The anti-forgery token of a signed-in browser: an HMAC of the session token (the HttpOnly cookie's
// secret), so it is bound to that session, needs no server-side state and no key shared between
// instances, and cannot be planted by a sibling origin the way a double-submit cookie can. Pure.
import { createHmac, timingSafeEqual } from 'node:crypto';

const PURPOSE = 'attest:csrf:v1';

/** The token every page form of this session carries (hidden field `_csrf`). */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update(PURPOSE).digest('base64url');
}

/** Whether `presented` is this session's token (constant-time). */
export function csrfTokenMatches(sessionToken: string, presented: unknown): boolean {
  if (typeof presented !== 'string' || presented === '') return false;
  const expected = Buffer.from(csrfTokenFor(sessionToken));
  const got = Buffer.from(presented);
  return got.length === expected.length && timingSafeEqual(got, expected);
}
