import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { UnauthenticatedError } from '../common/errors/app-error';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { actorRef } from '../authz/actor';
import { ActorScopes } from './actor-scopes';
import type { SignedInUser, UserActor } from '../authz/actor';
import { CredentialsRepository } from './credentials.repository';
import { looksLikeApiToken, newSessionToken, normaliseEmail, sha256Hex } from './domain/secrets';
import { verifyPassword } from './passwords';
import { UserRow, UsersRepository } from './users.repository';

/** Writes of last-seen / last-used times are skipped when the previous one is this recent. */
const TOUCH_INTERVAL_MS = 60_000;

export const SESSION_COOKIE = 'attest_session';

/** Who a request's credential belongs to: the actor, and the user row it was built from. */
export interface Authenticated {
  actor: UserActor;
  user: SignedInUser;
}

export interface LoginResult {
  sessionToken: string;
  expiresAt: Date;
  actor: UserActor;
}

export function toActor(
  user: Pick<UserRow, 'id' | 'email' | 'name' | 'role' | 'departmentId' | 'departmentKey'>,
  via: UserActor['via'],
): UserActor {
  return {
    kind: 'user',
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    departmentId: user.departmentId,
    departmentKey: user.departmentKey,
    via,
  };
}

@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UsersRepository,
    private readonly credentials: CredentialsRepository,
    private readonly trail: AuditTrailService,
    private readonly scopes: ActorScopes,
  ) {}

  /** Password login. Every failure gets the same message, whatever the reason. */
  async login(emailInput: string, password: string): Promise<LoginResult> {
    const email = normaliseEmail(emailInput);
    const user = await this.users.findByEmail(email);
    const passwordOk = await verifyPassword(user?.passwordHash ?? null, password);
    if (!user || !user.active || !passwordOk) {
      await this.trail.record({
        actor: actorRef(null),
        action: 'auth.login_failed',
        subjectType: 'User',
        subjectId: user?.id ?? null,
        data: { reason: !user ? 'unknown_email' : !user.active ? 'inactive' : 'wrong_password' },
      });
      throw new UnauthenticatedError('The e-mail address or password is not correct.', 'auth.invalid_credentials');
    }
    const sessionToken = newSessionToken();
    const now = new Date();
    const expiresAt = new Date(now.getTime() + this.config.sessionTtlHours * 3_600_000);
    const actor = toActor(user, 'session');
    await this.ds.transaction(async (m) => {
      const session = await this.credentials.insertSession(
        { userId: user.id, tokenHash: sha256Hex(sessionToken), expiresAt },
        m,
      );
      await this.users.update(user.id, { lastLoginAt: now }, m);
      await this.trail.append(
        {
          actor: actorRef(actor),
          action: 'auth.login',
          subjectType: 'Session',
          subjectId: session.id,
          data: { expiresAt: expiresAt.toISOString() },
        },
        m,
      );
    });
    return { sessionToken, expiresAt, actor };
  }

  /**
   * Deletes sessions that ended (expired or signed out) more than a day ago: they can never be used again,
   * and sign-ins and sign-outs are in the audit trail. The daily `session-purge` job calls this.
   */
  purgeEndedSessions(now = new Date()): Promise<number> {
    return this.credentials.deleteSessionsEndedBefore(new Date(now.getTime() - 86_400_000));
  }

  async logout(actor: UserActor, sessionToken: string | undefined): Promise<void> {
    if (!sessionToken) return;
    const session = await this.credentials.findLiveSession(sha256Hex(sessionToken), new Date());
    if (!session || session.userId !== actor.id) return;
    await this.ds.transaction(async (m) => {
      await this.credentials.revokeSession(session.id, new Date(), m);
      await this.trail.append(
        { actor: actorRef(actor), action: 'auth.logout', subjectType: 'Session', subjectId: session.id },
        m,
      );
    });
  }

  /**
   * The actor of a session cookie, with the user as that one query read it (GET /api/me answers from it),
   * or null when the session is unknown, expired, revoked or its user inactive.
   */
  async authenticateSession(sessionToken: string): Promise<Authenticated | null> {
    const now = new Date();
    const session = await this.credentials.findLiveSessionWithUser(sha256Hex(sessionToken), now);
    if (!session || !session.user.active) return null;
    if (!session.lastUsedAt || now.getTime() - session.lastUsedAt.getTime() > TOUCH_INTERVAL_MS)
      await this.credentials.touchSession(session.id, now);
    const actor = await this.withScopes({ ...toActor(session.user, 'session'), sessionId: session.id }, now);
    return { actor, user: session.user };
  }

  /** The actor of a bearer API token, with its user, or null. */
  async authenticateApiToken(token: string): Promise<Authenticated | null> {
    if (!looksLikeApiToken(token)) return null;
    const now = new Date();
    const row = await this.credentials.findLiveApiTokenWithUser(sha256Hex(token), now);
    if (!row || !row.user.active) return null;
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > TOUCH_INTERVAL_MS)
      await this.credentials.markApiTokenUsed(row.id, now);
    return { actor: await this.withScopes(toActor(row.user, 'token'), now), user: row.user };
  }

  /** Auditors carry the engagements active at this moment (read on every request: expiry ends access by itself). */
  private async withScopes(actor: UserActor, now: Date): Promise<UserActor> {
    if (actor.role !== 'auditor') return actor;
    return { ...actor, engagements: await this.scopes.engagementsOf(actor.id, now) };
  }
}
