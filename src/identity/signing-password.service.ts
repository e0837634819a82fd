import { Inject, Injectable } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { UserActor } from '../authz/actor';
import { ForbiddenError, type ErrorCode } from '../common/errors/app-error';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { PostgresThrottlerStorage } from './postgres-throttler.storage';
import { UsersService } from './users.service';

/** The codes a module answers with when a signature is refused (each module names its own). */
export interface SigningRefusalCodes {
  needsSession: ErrorCode;
  wrongPassword: ErrorCode;
}

/**
 * The first half of every electronic signature (21 CFR 11.200-style: the signer identifies themselves again
 * at signing): the signer has a signed-in session (an API token cannot sign) and enters their own password
 * again. Limited like sign-in (LOGIN_RATE_LIMIT attempts a minute per person, counted in PostgreSQL), so a
 * stolen session cannot guess its owner's password through a sign form. Used by controlled documents and
 * release gates; each records the refusal in its own audit entry (`onWrongPassword`) before the 403.
 */
@Injectable()
export class SigningPasswordService {
  constructor(
    private readonly users: UsersService,
    private readonly throttle: PostgresThrottlerStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The signer may sign at all: a session, not a token (checked before anything else about the request). */
  requireSession(actor: UserActor, codes: SigningRefusalCodes): void {
    if (actor.via !== 'session')
      throw new ForbiddenError(
        'A signature needs a signed-in session and your password: an API token cannot sign.',
        codes.needsSession,
      );
  }

  /** 429 past the rate limit; 403 (after `onWrongPassword`) when the password is not the signer's. */
  async confirm(
    actor: UserActor,
    password: string,
    codes: SigningRefusalCodes,
    onWrongPassword: () => Promise<void>,
  ): Promise<void> {
    this.requireSession(actor, codes);
    const { isBlocked } = await this.throttle.increment(`sign|${actor.id}`, 60_000, this.config.loginRateLimit);
    if (isBlocked) throw new ThrottlerException('Too many signature attempts this minute; retry later.');
    if (!(await this.users.passwordMatches(actor.id, password))) {
      await onWrongPassword();
      throw new ForbiddenError('The password is not yours: nothing was signed.', codes.wrongPassword);
    }
  }
}
