import {
  looksLikeApiToken,
  newApiToken,
  newOneTimePassword,
  newSessionToken,
  normaliseEmail,
  passwordProblem,
  sha256Hex,
  tokenDisplayPrefix,
} from './secrets';

describe('secrets', () => {
  it('makes distinct, well-formed API tokens and shows only a short prefix', () => {
    const a = newApiToken();
    const b = newApiToken();
    expect(a).not.toBe(b);
    expect(looksLikeApiToken(a)).toBe(true);
    expect(looksLikeApiToken('atk_short')).toBe(false);
    expect(looksLikeApiToken(newSessionToken())).toBe(false);
    expect(tokenDisplayPrefix(a)).toHaveLength(10);
    expect(a.startsWith(tokenDisplayPrefix(a))).toBe(true);
  });

  it('hashes with SHA-256 (hex)', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('makes readable one-time passwords that pass the password rules', () => {
    const p = newOneTimePassword();
    expect(p).toMatch(/^[a-zA-Z2-9]{5}(-[a-zA-Z2-9]{5}){3}$/);
    expect(p).not.toMatch(/[01lIO]/);
    expect(passwordProblem(p, 'a@b.c')).toBeNull();
  });

  it.each([
    ['short', 'a@b.c', 'must be at least 10 characters'],
    ['x'.repeat(257), 'a@b.c', 'must be at most 256 characters'],
    ['Owner@Demo.Local', 'owner@demo.local', 'must not be the e-mail address'],
    ['aaaaaaaaaaaa', 'a@b.c', 'must not be one repeated character'],
    ['correct horse battery', 'a@b.c', null],
  ])('password %p for %p: %p', (password, email, problem) => {
    expect(passwordProblem(password, email)).toBe(problem);
  });

  it('normalises e-mail addresses', () => {
    expect(normaliseEmail('  Owner@Demo.LOCAL ')).toBe('owner@demo.local');
  });
});
