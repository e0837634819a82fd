import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull, Not } from 'typeorm';
import { accessibleBy } from '../authz/casl-sql';
import type { AppAbility } from '../authz/ability.factory';
import { ApiToken } from './api-token.entity';
import { Session } from './session.entity';

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

  findLiveApiToken(tokenHash: string, now: Date): Promise<ApiToken | null> {
    return this.ds.manager
      .createQueryBuilder(ApiToken, 't')
      .where('t.token_hash = :tokenHash AND t.revoked_at IS NULL AND t.expires_at > :now', { tokenHash, now })
      .getOne();
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
