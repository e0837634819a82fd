import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { AppAbility } from '../authz/ability.factory';
import { accessibleBy } from '../authz/casl-sql';
import { AuditPack, type PackStatus } from './audit-pack.entity';

export interface PackListFilter {
  framework?: string;
  status?: PackStatus;
  engagementId?: string;
  limit: number;
  offset: number;
}

/** The only place with audit-pack query code. */
@Injectable()
export class PacksRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private m(m?: EntityManager): EntityManager {
    return m ?? this.ds.manager;
  }

  /**
   * Inserts a queued pack for the scope unless one is already queued or building (the partial unique index
   * decides, so two requests racing agree): the new id, or null when there is an active one.
   */
  async insertUnlessActive(
    values: {
      framework: string;
      periodFrom: string;
      periodTo: string;
      requestedByUserId: string | null;
      requestedBy: string;
      engagementId: string | null;
    },
    m: EntityManager,
  ): Promise<string | null> {
    const rows: { id: string }[] = await m.query(
      `INSERT INTO audit_packs (framework, period_from, period_to, requested_by_user_id, requested_by, engagement_id)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (framework, period_from, period_to) WHERE status IN ('queued', 'building') DO NOTHING
       RETURNING id`,
      [
        values.framework,
        values.periodFrom,
        values.periodTo,
        values.requestedByUserId,
        values.requestedBy,
        values.engagementId,
      ],
    );
    return rows[0]?.id ?? null;
  }

  /** The queued or building pack of a scope, if any. */
  async findActive(
    scope: { framework: string; periodFrom: string; periodTo: string },
    m?: EntityManager,
  ): Promise<AuditPack | null> {
    return this.m(m)
      .createQueryBuilder(AuditPack, 'p')
      .where(
        `p.framework = :framework AND p.period_from = :periodFrom AND p.period_to = :periodTo AND p.status IN ('queued', 'building')`,
        scope,
      )
      .getOne();
  }

  findById(id: string, m?: EntityManager): Promise<AuditPack | null> {
    return this.m(m).findOne(AuditPack, { where: { id } });
  }

  /** Packs the ability may read, filtered and paged in SQL, newest first. */
  async list(ability: AppAbility, filter: PackListFilter): Promise<{ rows: AuditPack[]; total: number }> {
    const qb = accessibleBy(this.ds.manager.createQueryBuilder(AuditPack, 'p'), ability, 'read', 'AuditPack');
    if (filter.framework) qb.andWhere('p.framework = :framework', { framework: filter.framework });
    if (filter.status) qb.andWhere('p.status = :status', { status: filter.status });
    if (filter.engagementId) qb.andWhere('p.engagement_id = :engagementId', { engagementId: filter.engagementId });
    const [rows, total] = await qb
      .orderBy('p.created_at', 'DESC')
      .addOrderBy('p.id', 'DESC')
      .skip(filter.offset)
      .take(filter.limit)
      .getManyAndCount();
    return { rows, total };
  }

  /**
   * Takes a pack for building under a new token: a queued pack, or a building one whose heartbeat is older
   * than `staleMs` (its builder died). One UPDATE, so of two instances trying at once exactly one wins.
   */
  async claim(id: string, token: string, staleMs: number): Promise<AuditPack | null> {
    const [rows] = (await this.ds.query(
      `UPDATE audit_packs
          SET status = 'building', build_token = $2, attempts = attempts + 1, progress = 0, stage = 'collecting', error = NULL,
              started_at = now(), heartbeat_at = now()
        WHERE id = $1 AND (status = 'queued' OR (status = 'building' AND heartbeat_at < now() - make_interval(secs => $3::double precision / 1000)))
        RETURNING id`,
      [id, token, staleMs],
    )) as [{ id: string }[], number];
    return rows.length ? this.findById(id) : null;
  }

  /** Saves progress and the heartbeat; false when the build no longer holds the pack. */
  async beat(id: string, token: string, progress: number, stage: string): Promise<boolean> {
    const [, count] = (await this.ds.query(
      `UPDATE audit_packs SET progress = $3, stage = $4, heartbeat_at = now() WHERE id = $1 AND build_token = $2 AND status = 'building'`,
      [id, token, progress, stage],
    )) as [unknown, number];
    return count > 0;
  }

  /** Ends a build the caller still holds with `values` (done or failed); false when it no longer holds it. */
  async finish(id: string, token: string, values: Partial<AuditPack>, m: EntityManager): Promise<boolean> {
    const result = await m
      .createQueryBuilder()
      .update(AuditPack)
      .set({ ...values, buildToken: null, heartbeatAt: () => 'now()', finishedAt: () => 'now()' })
      .where(`id = :id AND build_token = :token AND status = 'building'`, { id, token })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /**
   * Hands a build back to the queue (shutdown, or its builder is known dead): the next run takes it at once.
   * False when that build no longer holds the pack.
   */
  async release(id: string, token: string): Promise<boolean> {
    const [, count] = (await this.ds.query(
      `UPDATE audit_packs SET status = 'queued', build_token = NULL, stage = NULL, progress = 0 WHERE id = $1 AND build_token = $2 AND status = 'building'`,
      [id, token],
    )) as [unknown, number];
    return count > 0;
  }

  /** Packs waiting to be built, or building with a stale heartbeat, oldest first. */
  async pendingIds(staleMs: number): Promise<string[]> {
    const rows: { id: string }[] = await this.ds.query(
      `SELECT id FROM audit_packs
        WHERE status = 'queued' OR (status = 'building' AND heartbeat_at < now() - make_interval(secs => $1::double precision / 1000))
        ORDER BY created_at`,
      [staleMs],
    );
    return rows.map((r) => r.id);
  }
}
