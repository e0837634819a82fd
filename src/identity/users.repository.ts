import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { containsPattern } from '../common/db/like';
import { accessibleBy } from '../authz/casl-sql';
import type { AppAbility } from '../authz/ability.factory';
import { ConflictError } from '../common/errors/app-error';
import { isUniqueViolation } from '../common/db/unique-violation';
import type { Role } from '../authz/actor';
import { ApiToken } from './api-token.entity';
import { Department } from './department.entity';
import { User } from './user.entity';

export interface UserRow extends User {
  departmentKey: string | null;
}

export interface UserListFilter {
  role?: Role;
  departmentKey?: string;
  active?: boolean;
  /** Matches name or e-mail, case-insensitively. */
  q?: string;
  limit: number;
  offset: number;
}

@Injectable()
export class UsersRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private manager(m?: EntityManager): EntityManager {
    return m ?? this.ds.manager;
  }

  private select(m?: EntityManager) {
    return this.manager(m)
      .createQueryBuilder(User, 'u')
      .leftJoin(Department, 'd', 'd.id = u.department_id')
      .addSelect('d.key', 'department_key');
  }

  private static withDepartmentKey(entities: User[], raw: { department_key: string | null }[]): UserRow[] {
    return entities.map((u, i) => Object.assign(u, { departmentKey: raw[i]?.department_key ?? null }));
  }

  async findById(id: string, m?: EntityManager): Promise<UserRow | null> {
    const { entities, raw } = await this.select(m).where('u.id = :id', { id }).getRawAndEntities();
    return entities.length ? UsersRepository.withDepartmentKey(entities, raw)[0] : null;
  }

  async findByEmail(email: string, m?: EntityManager): Promise<UserRow | null> {
    const { entities, raw } = await this.select(m).where('u.email = :email', { email }).getRawAndEntities();
    return entities.length ? UsersRepository.withDepartmentKey(entities, raw)[0] : null;
  }

  /** Which of `emails` (normalised) a user already has, in one query. */
  async existingEmails(emails: string[], m?: EntityManager): Promise<Set<string>> {
    const rows: { email: string }[] = await this.manager(m).query(
      `SELECT email FROM users WHERE email = ANY($1::text[])`,
      [emails],
    );
    return new Set(rows.map((r) => r.email));
  }

  /** The users the ability may read, filtered and paged in SQL. */
  async listVisibleTo(ability: AppAbility, filter: UserListFilter): Promise<{ rows: UserRow[]; total: number }> {
    const qb = accessibleBy(this.select(), ability, 'read', 'User');
    if (filter.role) qb.andWhere('u.role = :role', { role: filter.role });
    if (filter.departmentKey) qb.andWhere('d.key = :dept', { dept: filter.departmentKey });
    if (filter.active !== undefined) qb.andWhere('u.active = :active', { active: filter.active });
    if (filter.q) qb.andWhere('(u.email ILIKE :q OR u.name ILIKE :q)', { q: containsPattern(filter.q) });
    const total = await qb.getCount();
    const { entities, raw } = await qb
      .orderBy('u.name', 'ASC')
      .addOrderBy('u.id', 'ASC')
      .offset(filter.offset)
      .limit(filter.limit)
      .getRawAndEntities();
    return { rows: UsersRepository.withDepartmentKey(entities, raw), total };
  }

  async insert(
    values: Pick<User, 'email' | 'name' | 'role' | 'departmentId' | 'passwordHash'>,
    m?: EntityManager,
  ): Promise<User> {
    try {
      return await this.manager(m).save(User, this.manager(m).create(User, { ...values, active: true }));
    } catch (e) {
      if (isUniqueViolation(e, 'UQ_users_email'))
        throw new ConflictError('user.email_taken', `A user with e-mail ${values.email} exists.`);
      throw e;
    }
  }

  async update(
    id: string,
    values: Partial<Pick<User, 'name' | 'role' | 'departmentId' | 'active' | 'passwordHash' | 'lastLoginAt'>>,
    m?: EntityManager,
  ): Promise<void> {
    await this.manager(m).update(User, { id }, values);
  }

  async namesByIds(ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    // Plain SQL: lists resolve their owners' names through here on every request.
    const rows = await this.ds.query<{ id: string; name: string }[]>(
      'SELECT id, name FROM users WHERE id = ANY($1::uuid[])',
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  async activeIds(filter: { role?: Role; departmentKey?: string }): Promise<string[]> {
    const qb = this.select().where('u.active');
    if (filter.role) qb.andWhere('u.role = :role', { role: filter.role });
    if (filter.departmentKey) qb.andWhere('d.key = :dept', { dept: filter.departmentKey });
    return (await qb.orderBy('u.email').getMany()).map((u) => u.id);
  }

  /** Every active user with their department key, by e-mail. */
  async activeRows(): Promise<UserRow[]> {
    const { entities, raw } = await this.select().where('u.active').orderBy('u.email').getRawAndEntities();
    return UsersRepository.withDepartmentKey(entities, raw);
  }

  /** Every user, and every live (not revoked, not expired) API token. */
  async accessReviewRows(): Promise<{ users: UserRow[]; tokens: ApiToken[] }> {
    const { entities, raw } = await this.select().orderBy('u.email').getRawAndEntities();
    const tokens = await this.ds.manager
      .createQueryBuilder(ApiToken, 't')
      .where('t.revoked_at IS NULL AND t.expires_at > now()')
      .orderBy('t.created_at')
      .getMany();
    return { users: UsersRepository.withDepartmentKey(entities, raw), tokens };
  }

  async countActiveAdmins(m?: EntityManager): Promise<number> {
    return this.manager(m).count(User, { where: { role: 'admin', active: true } });
  }
}
