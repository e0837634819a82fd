import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull, Not } from 'typeorm';
import { accessibleBy } from '../authz/casl-sql';
import type { AppAbility } from '../authz/ability.factory';
import type { Role, SignedInUser } from '../authz/actor';
import { ApiToken } from './api-token.entity';
import { Session } from './session.entity';

/** A live credential (session or API token) with the user it belongs to, read in one query. */
export interface LiveCredential {
  /** The session's or the token's id. */
  id: string;
  /** The session's last_seen_at, or the token's last_used_at. */
  lastUsedAt: Date | null;
  user: SignedInUser;
}

interface LiveCredentialRow {
  id: string;
  last_used_at: Date | null;
  user_id: string;
  email: string;
  name: string;
  role: Role;
  department_id: string | null;
  department_key: string | null;
  active: boolean;
  created_at: Date;
  updated_at: Date;
  last_login_at: Date | null;
}

// The credential, its user and the user's department key: what authenticating a request needs, in one
// round trip (the request path's hottest query). The table and time column come from the two callers below.
function liveCredentialSql(table: 'sessions' | 'api_tokens', lastUsed: 'last_seen_at' | 'last_used_at'): string {
  return `SELECT c.id, c.${lastUsed} AS last_used_at, u.id AS user_id, u.email, u.name, u.role,
                 u.department_id, d.key AS department_key, u.active, u.created_at, u.updated_at, u.last_login_at
            FROM ${table} c
            JOIN users u ON u.id = c.user_id
            LEFT JOIN departments d ON d.id = u.department_id
           WHERE c.token_hash = $1 AND c.revoked_at IS NULL AND c.expires_at > $2`;
}
const LIVE_SESSION_SQL = liveCredentialSql('sessions', 'last_seen_at');
const LIVE_API_TOKEN_SQL = liveCredentialSql('api_tokens', 'last_used_at');

function toLiveCredential(rows: LiveCredentialRow[]): LiveCredential | null {
  const r = rows[0];
  if (!r) return null;
  return {
    id: r.id,
    lastUsedAt: r.last_used_at,
    user: {
      id: r.user_id,
      email: r.email,
      name: r.name,
      role: r.role,
      departmentId: r.department_id,
      departmentKey: r.department_key,
      active: r.active,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      lastLoginAt: r.last_login_at,
    },
  };
}

/** Sessions and API tokens: the stored halves (hashes) of what users present. */
@Injectable()
export class CredentialsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  insertSession(values: Pick<Session, 'userId' | 'tokenHash' | 'expiresAt'>, m?: EntityManager): Promise<Session> {
    const manager = m ?? this.ds.manager;
    return manager.save(Session, manager.create(Session, { ...values, lastSeenAt: new Date(), revokedAt: null }));
  }

  /** A live (not revoked, not expired) session by token hash. */
  findLiveSession(tokenHash: string, now: Date): Promise<Session | null> {
    return this.ds.manager
      .createQueryBuilder(Session, 's')
      .where('s.token_hash = :tokenHash AND s.revoked_at IS NULL AND s.expires_at > :now', { tokenHash, now })
      .getOne();
  }

  /** A live session by token hash with its user (active or not), in one query. */
  async findLiveSessionWithUser(tokenHash: string, now: Date): Promise<LiveCredential | null> {
    return toLiveCredential(await this.ds.query<LiveCredentialRow[]>(LIVE_SESSION_SQL, [tokenHash, now]));
  }

  /** A live API token by token hash with its user (active or not), in one query. */
  async findLiveApiTokenWithUser(tokenHash: string, now: Date): Promise<LiveCredential | null> {
    return toLiveCredential(await this.ds.query<LiveCredentialRow[]>(LIVE_API_TOKEN_SQL, [tokenHash, now]));
  }

  async touchSession(id: string, now: Date): Promise<void> {
    await this.ds.manager.update(Session, { id }, { lastSeenAt: now });
  }

  async revokeSession(id: string, now: Date, m?: EntityManager): Promise<void> {
    await (m ?? this.ds.manager).update(Session, { id, revokedAt: IsNull() }, { revokedAt: now });
  }

  /** Ends every live session of the user, but `keepSessionId` when given; returns how many ended. */
  async revokeSessionsOf(userId: string, now: Date, m?: EntityManager, keepSessionId?: string): Promise<number> {
    const where = keepSessionId
      ? { userId, revokedAt: IsNull(), id: Not(keepSessionId) }
      : { userId, revokedAt: IsNull() };
    const r = await (m ?? this.ds.manager).update(Session, where, { revokedAt: now });
    return r.affected ?? 0;
  }

  /** Deletes sessions that expired or were revoked before `cutoff`; returns how many. */
  async deleteSessionsEndedBefore(cutoff: Date): Promise<number> {
    const r = await this.ds.manager
      .createQueryBuilder()
      .delete()
      .from(Session)
      .where('expires_at < :cutoff OR revoked_at < :cutoff', { cutoff })
      .execute();
    return r.affected ?? 0;
  }

  insertApiToken(
    values: Pick<ApiToken, 'userId' | 'name' | 'tokenPrefix' | 'tokenHash' | 'expiresAt'>,
    m?: EntityManager,
  ): Promise<ApiToken> {
    const manager = m ?? this.ds.manager;
    return manager.save(ApiToken, manager.create(ApiToken, { ...values, lastUsedAt: null, revokedAt: null }));
  }

  findApiToken(id: string, m?: EntityManager): Promise<ApiToken | null> {
    return (m ?? this.ds.manager).findOne(ApiToken, { where: { id } });
  }

  async markApiTokenUsed(id: string, now: Date): Promise<void> {
    await this.ds.manager.update(ApiToken, { id }, { lastUsedAt: now });
  }

  async revokeApiToken(id: string, now: Date, m?: EntityManager): Promise<void> {
    await (m ?? this.ds.manager).update(ApiToken, { id, revokedAt: IsNull() }, { revokedAt: now });
  }

  /** Revokes every live API token of the user (deactivation); returns how many. */
  async revokeApiTokensOf(userId: string, now: Date, m?: EntityManager): Promise<number> {
    const r = await (m ?? this.ds.manager).update(ApiToken, { userId, revokedAt: IsNull() }, { revokedAt: now });
    return r.affected ?? 0;
  }

  /** Tokens the ability may read, newest first, paged in SQL. */
  async listApiTokensVisibleTo(
    ability: AppAbility,
    page: { limit: number; offset: number; includeRevoked: boolean },
  ): Promise<{ rows: ApiToken[]; total: number }> {
    const qb = accessibleBy(this.ds.manager.createQueryBuilder(ApiToken, 't'), ability, 'read', 'ApiToken');
    if (!page.includeRevoked) qb.andWhere('t.revoked_at IS NULL');
    const [rows, total] = await qb
      .orderBy('t.created_at', 'DESC')
      .addOrderBy('t.id', 'ASC')
      .skip(page.offset)
      .take(page.limit)
      .getManyAndCount();
    return { rows, total };
  }
}
