import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { abilityFor, USER_FIELDS } from '../authz/ability.factory';
import { readableOr404 } from '../authz/row-access';
import { asSubject, pickPermitted } from '../authz/subject';
import { ForbiddenError, RuleViolationError, ValidationError } from '../common/errors/app-error';
import { Page, pageOf } from '../common/http/pagination';
import { cleanLabel } from '../common/text/control-characters';
import { actorRef } from '../authz/actor';
import type { Actor, Role, SignedInUser, UserActor } from '../authz/actor';
import { CredentialsRepository } from './credentials.repository';
import { DepartmentsRepository } from './departments.repository';
import { newOneTimePassword, normaliseEmail, passwordProblem } from './domain/secrets';
import {
  ChangePasswordDto,
  CreatedUserView,
  CreateUserDto,
  PasswordResetView,
  UpdateMeDto,
  UpdateUserDto,
  UserListQueryDto,
  UserView,
  userView,
  type UserViewSource,
} from './dto/user.dto';
import { hashPassword, verifyPassword } from './passwords';
import { UserRow, UsersRepository } from './users.repository';

export interface AccessReviewUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  department: string | null;
  active: boolean;
  lastLoginAt: string | null;
}

export interface AccessReviewToken {
  id: string;
  userId: string;
  name: string;
  tokenPrefix: string;
  ageDays: number;
  expiresAt: string;
  lastUsedAt: string | null;
}

/** A display name as stored: without control or bidi characters (as file names), never empty. */
function displayName(name: string): string {
  const clean = cleanLabel(name);
  if (clean === '') throw new ValidationError([{ field: 'name', message: 'must contain visible characters' }]);
  return clean;
}

@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly users: UsersRepository,
    private readonly departments: DepartmentsRepository,
    private readonly credentials: CredentialsRepository,
    private readonly trail: AuditTrailService,
  ) {}

  private view(actor: Actor, row: UserViewSource): UserView {
    return pickPermitted(abilityFor(actor), 'read', 'User', row, userView(row), USER_FIELDS) as UserView;
  }

  /** Loads a user the actor may read, else 404 (no existence oracle). */
  private async readableUser(actor: UserActor, id: string, m?: EntityManager): Promise<UserRow> {
    return readableOr404(abilityFor(actor), 'User', await this.users.findById(id, m), { entity: 'user', id });
  }

  /**
   * The actor's own user. `signedIn` is that user as authentication read it for this request (with the
   * credential, in the same query): answered from it, not read again; else read.
   */
  async me(actor: UserActor, signedIn?: SignedInUser): Promise<UserView> {
    if (signedIn?.id === actor.id)
      return this.view(
        actor,
        await readableOr404(abilityFor(actor), 'User', signedIn, { entity: 'user', id: actor.id }),
      );
    return this.view(actor, await this.readableUser(actor, actor.id));
  }

  async list(actor: UserActor, query: UserListQueryDto): Promise<Page<UserView>> {
    const page = pageOf(query);
    const { rows, total } = await this.users.listVisibleTo(abilityFor(actor), {
      ...page,
      role: query.role,
      departmentKey: query.department,
      active: query.active,
      q: query.q,
    });
    return { items: rows.map((r) => this.view(actor, r)), total, ...page };
  }

  async get(actor: UserActor, id: string): Promise<UserView> {
    return this.view(actor, await this.readableUser(actor, id));
  }

  private async departmentId(key: string | null | undefined, m: EntityManager): Promise<string | null> {
    if (key === undefined || key === null) return null;
    const d = await this.departments.findByKey(key, m);
    if (!d) throw new ValidationError([{ field: 'department', message: `no department with key "${key}"` }]);
    return d.id;
  }

  /** Creates a user with a one-time password, returned once. `actor` is a user (API) or the system (CLI, seed). */
  async create(
    actor: Actor,
    dto: CreateUserDto,
    options: { password?: string } = {},
  ): Promise<CreatedUserView & { row: UserRow }> {
    const email = normaliseEmail(dto.email);
    const name = displayName(dto.name);
    const password = options.password ?? newOneTimePassword();
    const passwordHash = await hashPassword(password);
    const row = await this.ds.transaction(async (m) => {
      const departmentId = await this.departmentId(dto.department, m);
      const user = await this.users.insert({ email, name, role: dto.role, departmentId, passwordHash }, m);
      await this.trail.append(
        {
          actor: actorRef(actor),
          action: 'user.create',
          subjectType: 'User',
          subjectId: user.id,
          data: { role: dto.role, department: dto.department ?? null },
        },
        m,
      );
      return (await this.users.findById(user.id, m))!;
    });
    const view = this.view(actor, row);
    return { user: view, oneTimePassword: password, row };
  }

  async update(actor: UserActor, id: string, dto: UpdateUserDto): Promise<UserView> {
    const row = await this.ds.transaction(async (m) => {
      const before = await this.readableUser(actor, id, m);
      if (!abilityFor(actor).can('update', asSubject('User', before)))
        throw new ForbiddenError('You may not change this user.', 'user.update_forbidden');
      const changes: Partial<{ name: string; role: Role; departmentId: string | null; active: boolean }> = {};
      if (dto.name !== undefined && displayName(dto.name) !== before.name) changes.name = displayName(dto.name);
      if (dto.role !== undefined && dto.role !== before.role) changes.role = dto.role;
      if (dto.department !== undefined) {
        const departmentId = await this.departmentId(dto.department, m);
        if (departmentId !== before.departmentId) changes.departmentId = departmentId;
      }
      if (dto.active !== undefined && dto.active !== before.active) changes.active = dto.active;
      if (Object.keys(changes).length === 0) return before;
      const losesAdmin =
        before.role === 'admin' &&
        before.active &&
        ((changes.role !== undefined && changes.role !== 'admin') || changes.active === false);
      if (losesAdmin && (await this.users.countActiveAdmins(m)) <= 1) {
        throw new RuleViolationError(
          'user.last_admin',
          'This is the last active admin: make someone else admin first.',
        );
      }
      await this.users.update(id, changes, m);
      // Deactivation signs the user out and revokes their API tokens for good (reactivation revives neither).
      const revokedTokens = changes.active === false ? await this.deactivated(id, m) : 0;
      // Roles, departments and status are recorded with their values; the name only as "changed"
      // (the trail holds personal data only as pseudonymous references).
      const changed = Object.fromEntries(
        Object.entries(changes).map(([k, v]) => [
          k,
          k === 'name' ? 'changed' : { from: before[k as keyof typeof changes] ?? null, to: v ?? null },
        ]),
      );
      await this.trail.append(
        {
          actor: actorRef(actor),
          action: 'user.update',
          subjectType: 'User',
          subjectId: id,
          data: changes.active === false ? { changed, revokedTokens } : { changed },
        },
        m,
      );
      return (await this.users.findById(id, m))!;
    });
    return this.view(actor, row);
  }

  private async deactivated(id: string, m: EntityManager): Promise<number> {
    const now = new Date();
    await this.credentials.revokeSessionsOf(id, now, m);
    return this.credentials.revokeApiTokensOf(id, now, m);
  }

  /** Sets a new one-time password and signs the user out everywhere. */
  async resetPassword(actor: UserActor, id: string): Promise<PasswordResetView> {
    const oneTimePassword = newOneTimePassword();
    const passwordHash = await hashPassword(oneTimePassword);
    await this.ds.transaction(async (m) => {
      const row = await this.readableUser(actor, id, m);
      if (!abilityFor(actor).can('update', asSubject('User', row)))
        throw new ForbiddenError('You may not change this user.', 'user.update_forbidden');
      await this.users.update(id, { passwordHash }, m);
      await this.credentials.revokeSessionsOf(id, new Date(), m);
      await this.trail.append(
        { actor: actorRef(actor), action: 'user.password_reset', subjectType: 'User', subjectId: id },
        m,
      );
    });
    return { oneTimePassword };
  }

  async updateMe(actor: UserActor, dto: UpdateMeDto): Promise<UserView> {
    await this.ds.transaction(async (m) => {
      await this.users.update(actor.id, { name: displayName(dto.name) }, m);
      await this.trail.append(
        {
          actor: actorRef(actor),
          action: 'user.update_self',
          subjectType: 'User',
          subjectId: actor.id,
          data: { changed: ['name'] },
        },
        m,
      );
    });
    return this.me(actor);
  }

  /**
   * Changes the caller's password and ends their other sessions (this one stays signed in). Needs a
   * signed-in session: an API token cannot change the password it was issued under.
   */
  async changePassword(actor: UserActor, dto: ChangePasswordDto): Promise<void> {
    if (actor.via !== 'session')
      throw new ForbiddenError(
        'An API token cannot change the password: sign in with the password to change it.',
        'auth.password_change_needs_session',
      );
    const row = await this.readableUser(actor, actor.id);
    if (!(await verifyPassword(row.passwordHash, dto.currentPassword))) {
      throw new ValidationError([{ field: 'currentPassword', message: 'is not your current password' }]);
    }
    const problem = passwordProblem(dto.newPassword, row.email);
    if (problem) throw new ValidationError([{ field: 'newPassword', message: problem }]);
    const passwordHash = await hashPassword(dto.newPassword);
    await this.ds.transaction(async (m) => {
      await this.users.update(actor.id, { passwordHash }, m);
      const endedSessions = await this.credentials.revokeSessionsOf(actor.id, new Date(), m, actor.sessionId);
      await this.trail.append(
        {
          actor: actorRef(actor),
          action: 'user.password_change',
          subjectType: 'User',
          subjectId: actor.id,
          data: { endedSessions },
        },
        m,
      );
    });
  }

  /**
   * Whether `password` is the active user's password (an electronic signature asks for it again). Takes as
   * long for an unknown or inactive user as for a wrong password.
   */
  async passwordMatches(userId: string, password: string): Promise<boolean> {
    const row = await this.users.findById(userId);
    const ok = await verifyPassword(row?.passwordHash ?? null, password);
    return ok && !!row?.active;
  }

  /** Display names of users by id (for showing who owns what); unknown ids are left out. */
  async namesByIds(ids: string[]): Promise<Map<string, string>> {
    return this.users.namesByIds([...new Set(ids)]);
  }

  /** An active user by id, or null (e.g. to check an owner being assigned). */
  async findActive(id: string): Promise<UserRow | null> {
    const row = await this.users.findById(id);
    return row && row.active ? row : null;
  }

  /** Ids of active users with a role and/or in a department (who to tell about a task, whom to escalate to). */
  activeUserIds(filter: { role?: Role; departmentKey?: string }): Promise<string[]> {
    return this.users.activeIds(filter);
  }

  /** Every active user: id, name, e-mail, role, department (whom a document applies to). */
  async activeUsers(): Promise<
    { id: string; name: string; email: string; role: Role; departmentId: string | null; departmentKey: string | null }[]
  > {
    return (await this.users.activeRows()).map((u) => ({
      id: u.id,
      name: u.name,
      email: u.email,
      role: u.role,
      departmentId: u.departmentId,
      departmentKey: u.departmentKey,
    }));
  }

  /** Who has access and how (for the access-review collector): users, roles, last sign-in, API tokens and their age. */
  async accessReview(now = new Date()): Promise<{ users: AccessReviewUser[]; tokens: AccessReviewToken[] }> {
    const { users, tokens } = await this.users.accessReviewRows();
    const days = (d: Date) => Math.floor((now.getTime() - d.getTime()) / 86_400_000);
    return {
      users: users.map((u) => ({
        id: u.id,
        email: u.email,
        name: u.name,
        role: u.role,
        department: u.departmentKey,
        active: u.active,
        lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
      })),
      tokens: tokens.map((t) => ({
        id: t.id,
        userId: t.userId,
        name: t.name,
        tokenPrefix: t.tokenPrefix,
        ageDays: days(t.createdAt),
        expiresAt: t.expiresAt.toISOString(),
        lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
      })),
    };
  }

  findByEmail(email: string): Promise<UserRow | null> {
    return this.users.findByEmail(normaliseEmail(email));
  }

  /** Those of `emails` a user already has (compared normalised, as stored), in one query. */
  async existingEmails(emails: string[]): Promise<Set<string>> {
    const found = await this.users.existingEmails(emails.map(normaliseEmail));
    return new Set(emails.filter((e) => found.has(normaliseEmail(e))));
  }
}
