import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { AppAbility } from '../authz/ability.factory';
import { accessibleBy } from '../authz/casl-sql';
import type { EngagementRequestStatus } from './domain/engagement-rules';
import { Engagement, EngagementRequest } from './engagement.entity';

export interface EngagementListFilter {
  auditorUserId?: string;
  /** Only active ones (not revoked, not expired at `now`). */
  activeAt?: Date;
  limit: number;
  offset: number;
}

/** The only place with the engagements' query code. Lists are filtered in SQL from the CASL rules. */
@Injectable()
export class EngagementsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private m(m?: EntityManager): EntityManager {
    return m ?? this.ds.manager;
  }

  insert(values: Omit<Engagement, 'id' | 'createdAt' | 'revokedAt'>, m?: EntityManager): Promise<Engagement> {
    return this.m(m).save(Engagement, this.m(m).create(Engagement, { ...values, revokedAt: null }));
  }

  findById(id: string, m?: EntityManager): Promise<Engagement | null> {
    return this.m(m).findOne(Engagement, { where: { id } });
  }

  lock(id: string, m: EntityManager): Promise<Engagement | null> {
    return m.createQueryBuilder(Engagement, 'e').setLock('pessimistic_write').where('e.id = :id', { id }).getOne();
  }

  async revoke(id: string, at: Date, m: EntityManager): Promise<void> {
    await m.update(Engagement, { id }, { revokedAt: at });
  }

  /** An auditor's engagements that are neither revoked nor expired at `now`, oldest first. */
  activeOf(auditorUserId: string, now: Date): Promise<Engagement[]> {
    return this.ds.manager
      .createQueryBuilder(Engagement, 'e')
      .where('e.auditor_user_id = :auditorUserId', { auditorUserId })
      .andWhere('e.revoked_at IS NULL')
      .andWhere('e.expires_at > :now', { now })
      .orderBy('e.created_at', 'ASC')
      .getMany();
  }

  async listVisible(ability: AppAbility, filter: EngagementListFilter): Promise<{ rows: Engagement[]; total: number }> {
    const qb = accessibleBy(this.ds.manager.createQueryBuilder(Engagement, 'e'), ability, 'read', 'Engagement');
    if (filter.auditorUserId)
      qb.andWhere('e.auditor_user_id = :auditorUserId', { auditorUserId: filter.auditorUserId });
    if (filter.activeAt)
      qb.andWhere('e.revoked_at IS NULL AND e.expires_at > :activeAt', { activeAt: filter.activeAt });
    const [rows, total] = await qb
      .orderBy('e.created_at', 'DESC')
      .addOrderBy('e.id', 'DESC')
      .skip(filter.offset)
      .take(filter.limit)
      .getManyAndCount();
    return { rows, total };
  }

  // ---- requests ----------------------------------------------------------------------------------

  insertRequest(
    values: Pick<EngagementRequest, 'engagementId' | 'framework' | 'requirementRef' | 'body' | 'createdBy'>,
    m?: EntityManager,
  ): Promise<EngagementRequest> {
    return this.m(m).save(
      EngagementRequest,
      this.m(m).create(EngagementRequest, {
        ...values,
        status: 'open',
        answer: null,
        answeredBy: null,
        answeredAt: null,
      }),
    );
  }

  findRequest(id: string, m?: EntityManager): Promise<EngagementRequest | null> {
    return this.m(m).findOne(EngagementRequest, { where: { id } });
  }

  lockRequest(id: string, m: EntityManager): Promise<EngagementRequest | null> {
    return m
      .createQueryBuilder(EngagementRequest, 'r')
      .setLock('pessimistic_write')
      .where('r.id = :id', { id })
      .getOne();
  }

  async answerRequest(
    id: string,
    values: { answer: string; answeredBy: string; answeredAt: Date },
    m: EntityManager,
  ): Promise<void> {
    await m.update(EngagementRequest, { id }, { ...values, status: 'answered' });
  }

  async listRequestsVisible(
    ability: AppAbility,
    filter: {
      engagementId?: string;
      status?: EngagementRequestStatus;
      framework?: string;
      requirementRef?: string;
      limit: number;
      offset: number;
    },
  ): Promise<{ rows: EngagementRequest[]; total: number }> {
    const qb = accessibleBy(
      this.ds.manager.createQueryBuilder(EngagementRequest, 'r'),
      ability,
      'read',
      'EngagementRequest',
    );
    if (filter.engagementId) qb.andWhere('r.engagement_id = :engagementId', { engagementId: filter.engagementId });
    if (filter.status) qb.andWhere('r.status = :status', { status: filter.status });
    if (filter.framework) qb.andWhere('r.framework = :framework', { framework: filter.framework });
    if (filter.requirementRef) qb.andWhere('r.requirement_ref = :ref', { ref: filter.requirementRef });
    const [rows, total] = await qb
      .orderBy('r.created_at', 'ASC')
      .addOrderBy('r.id', 'ASC')
      .skip(filter.offset)
      .take(filter.limit)
      .getManyAndCount();
    return { rows, total };
  }
}
