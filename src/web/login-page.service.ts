import { Injectable } from '@nestjs/common';
import { UnauthenticatedError } from '../common/errors/app-error';
import { AuthService, LoginResult } from '../identity/auth.service';

const BASE = 'http://attest.invalid';

/**
 * Where to go after sign-in: only a path of this site, else `/` (no open redirect). Judged the way a
 * browser reads the Location header — by the URL parser, which drops tabs and line breaks and reads `\`
 * as `/` (so `/\t/evil.example` is `//evil.example`) — and returned as the parser wrote it (encoded: no
 * raw CR/LF can reach the header).
 */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.length > 2048) return '/';
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return '/';
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return '/';
  }
  // After dot segments are resolved the path must still start with exactly one slash ("/..//x" is "//x").
  if (url.origin !== BASE || !url.pathname.startsWith('/') || url.pathname.startsWith('//')) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}

@Injectable()
export class LoginPageService {
  constructor(private readonly auth: AuthService) {}

  /** A login attempt from the form: the session, or the message to show on the page. */
  async attempt(
    email: string,
    password: string,
  ): Promise<{ ok: true; session: LoginResult } | { ok: false; message: string }> {
    try {
      return { ok: true, session: await this.auth.login(email, password) };
    } catch (e) {
      if (e instanceof UnauthenticatedError) return { ok: false, message: e.message };
      throw e;
    }
  }
}
