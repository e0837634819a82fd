import { Injectable } from '@nestjs/common';
import { UnauthenticatedError } from '../common/errors/app-error';
import { AuthService, LoginResult } from '../identity/auth.service';

/** Only same-site paths are followed after sign-in (no open redirect). */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : '/';
}

@Injectable()
export class LoginPageService {
  constructor(private readonly auth: AuthService) {}

  /** A login attempt from the form: the session, or the message to show on the page. */
  async attempt(email: string, password: string): Promise<{ ok: true; session: LoginResult } | { ok: false; message: string }> {
    try {
      return { ok: true, session: await this.auth.login(email, password) };
    } catch (e) {
      if (e instanceof UnauthenticatedError) return { ok: false, message: e.message };
      throw e;
    }
  }
}
