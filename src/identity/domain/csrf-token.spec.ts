import { csrfTokenFor, csrfTokenMatches } from './csrf-token';

describe('csrf tokens', () => {
  const session = 'ses_0123456789abcdef0123456789abcdef';

  it('are the same for one session and differ between sessions', () => {
    expect(csrfTokenFor(session)).toBe(csrfTokenFor(session));
    expect(csrfTokenFor(session)).not.toBe(csrfTokenFor(`${session}x`));
    expect(csrfTokenFor(session)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it.each([
    ['its own token', csrfTokenFor(session), true],
    ['another session’s token', csrfTokenFor('ses_other'), false],
    ['an empty string', '', false],
    ['a prefix', csrfTokenFor(session).slice(0, 20), false],
    ['an array (repeated field)', [csrfTokenFor(session)], false],
    ['nothing', undefined, false],
  ])('accept %s: %s', (_label, presented, ok) => {
    expect(csrfTokenMatches(session, presented)).toBe(ok);
  });
});
