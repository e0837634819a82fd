import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, SelectQueryBuilder } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { AppAbility } from '../authz/ability.factory';
import { accessibleBy } from '../authz/casl-sql';
import { ConflictError } from '../common/errors/app-error';
import { isUniqueViolation } from '../common/db/unique-violation';
import type { RiskLevel } from './domain/risk-matrix';
import type { RiskRegister, RiskStatus } from './domain/risk-model';
import { RiskControl } from './risk-control.entity';
import { RiskReview } from './risk-review.entity';
import { RiskVersion } from './risk-version.entity';
import { Risk } from './risk.entity';

export interface RiskListFilter {
  register?: RiskRegister;
  product?: string;
  status?: RiskStatus;
  level?: RiskLevel;
  residualLevel?: RiskLevel;
  ownerUserId?: string;
  q?: string;
}

export interface CellCount {
  severity: string;
  probability: string;
  count: number;
}

/** The only place with risk query code. Lists are filtered in SQL by the caller's ability. */
@Injectable()
export class RisksRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private m(m?: EntityManager): EntityManager {
    return m ?? this.ds.manager;
  }

  findById(id: string, m?: EntityManager): Promise<Risk | null> {
    return this.m(m).findOne(Risk, { where: { id } });
  }

  findByRefs(keys: { register: RiskRegister; ref: string }[], m?: EntityManager): Promise<Risk[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.m(m).find(Risk, { where: keys });
  }

  /** Each risk's controls in position order. */
  async controlsOf(riskIds: string[], m?: EntityManager): Promise<Map<string, RiskControl[]>> {
    const out = new Map<string, RiskControl[]>();
    if (riskIds.length === 0) return out;
    const rows = await this.m(m).find(RiskControl, { where: { riskId: In(riskIds) }, order: { position: 'ASC' } });
    for (const r of rows) out.set(r.riskId, [...(out.get(r.riskId) ?? []), r]);
    return out;
  }

  private visible(ability: AppAbility, filter: RiskListFilter): SelectQueryBuilder<Risk> {
    const qb = accessibleBy(this.ds.manager.createQueryBuilder(Risk, 'r'), ability, 'read', 'Risk');
    if (filter.register) qb.andWhere('r.register = :register', { register: filter.register });
    if (filter.product) qb.andWhere('r.product = :product', { product: filter.product });
    if (filter.status) qb.andWhere('r.status = :status', { status: filter.status });
    if (filter.level) qb.andWhere('r.level = :level', { level: filter.level });
    if (filter.residualLevel) qb.andWhere('r.residual_level = :residualLevel', { residualLevel: filter.residualLevel });
    if (filter.ownerUserId) qb.andWhere('r.owner_user_id = :owner', { owner: filter.ownerUserId });
    if (filter.q) qb.andWhere('(r.ref ILIKE :q OR r.title ILIKE :q OR r.hazard ILIKE :q OR r.harm ILIKE :q)', { q: `%${escapeLike(filter.q)}%` });
    return qb;
  }

  /** Risks the ability may read, filtered and paged in SQL, by register then ref. */
  async listVisible(ability: AppAbility, filter: RiskListFilter, page: { limit: number; offset: number }): Promise<{ rows: Risk[]; total: number }> {
    const [rows, total] = await this.visible(ability, filter).orderBy('r.register', 'ASC').addOrderBy('r.ref', 'ASC').skip(page.offset).take(page.limit).getManyAndCount();
    return { rows, total };
  }

  /** Counts per (severity, probability) before controls and after them (residual, else the initial cell). */
  async heatmapCounts(ability: AppAbility, filter: RiskListFilter): Promise<{ before: CellCount[]; after: CellCount[]; unassessed: number }> {
    const count = async (s: string, p: string) =>
      (
        await this.visible(ability, filter)
          .select(`${s}`, 'severity')
          .addSelect(`${p}`, 'probability')
          .addSelect('count(*)::int', 'count')
          .groupBy(s)
          .addGroupBy(p)
          .getRawMany<CellCount>()
      ).map((c) => ({ ...c, count: Number(c.count) }));
    const [before, after, unassessed] = await Promise.all([
      count('r.severity', 'r.probability'),
      count('COALESCE(r.residual_severity, r.severity)', 'COALESCE(r.residual_probability, r.probability)'),
      this.visible(ability, filter).andWhere('r.residual_level IS NULL').getCount(),
    ]);
    return { before, after, unassessed };
  }

  async insert(values: Partial<Risk>, m: EntityManager): Promise<Risk> {
    try {
      return await m.save(Risk, m.create(Risk, values));
    } catch (e) {
      if (isUniqueViolation(e, 'UQ_risks_register_ref')) throw new ConflictError('risk.ref_taken', `${values.ref} is already in the ${values.register} register.`);
      throw e;
    }
  }

  async update(id: string, values: Partial<Risk>, m: EntityManager): Promise<void> {
    await m.update(Risk, { id }, values);
  }

  /**
   * The measures (with their risks) in a register that introduced any of `refs` (ISO 14971 7.5), by the
   * introducing risk's ref and the measure's position.
   */
  async controlsIntroducing(register: RiskRegister, refs: string[], m?: EntityManager): Promise<RiskControl[]> {
    if (refs.length === 0) return [];
    return this.m(m)
      .createQueryBuilder(RiskControl, 'rc')
      .innerJoinAndSelect('rc.risk', 'r')
      .where('r.register = :register', { register })
      .andWhere('rc.arising_risk_refs && CAST(:refs AS text[])', { refs })
      .orderBy('r.ref', 'ASC')
      .addOrderBy('rc.position', 'ASC')
      .getMany();
  }

  async replaceControls(riskId: string, controls: Omit<RiskControl, 'id' | 'riskId' | 'risk'>[], m: EntityManager): Promise<void> {
    await m.delete(RiskControl, { riskId });
    if (controls.length) await m.insert(RiskControl, controls.map((c) => ({ ...c, riskId })));
  }

  async insertVersion(values: Omit<RiskVersion, 'id' | 'at' | 'risk'>, m: EntityManager): Promise<void> {
    await m.insert(RiskVersion, values as QueryDeepPartialEntity<RiskVersion>);
  }

  versionsOf(riskId: string): Promise<RiskVersion[]> {
    return this.ds.manager.find(RiskVersion, { where: { riskId }, order: { version: 'DESC' } });
  }

  /**
   * Row locks on many risks at once, in id order, taken before any audit-trail append (which holds the
   * chain lock to commit): a change always takes its row lock first, so imports and edits never deadlock.
   */
  async lockAllForUpdate(ids: string[], m: EntityManager): Promise<Map<string, Risk>> {
    if (ids.length === 0) return new Map();
    const rows = await m.createQueryBuilder(Risk, 'r').setLock('pessimistic_write').where('r.id IN (:...ids)', { ids }).orderBy('r.id', 'ASC').getMany();
    return new Map(rows.map((r) => [r.id, r]));
  }

  /** Every risk's id, both registers, by register and ref (re-evaluation after a matrix change). */
  async allIds(m: EntityManager): Promise<string[]> {
    return (await m.find(Risk, { select: { id: true }, order: { register: 'ASC', ref: 'ASC' } })).map((r) => r.id);
  }

  /** Takes the row lock for a change, so two concurrent changes get consecutive versions. */
  async lockForUpdate(id: string, m: EntityManager): Promise<Risk | null> {
    return m.createQueryBuilder(Risk, 'r').setLock('pessimistic_write').where('r.id = :id', { id }).getOne();
  }

  async insertReview(values: Omit<RiskReview, 'id'>, m: EntityManager): Promise<RiskReview> {
    return this.m(m).save(RiskReview, this.m(m).create(RiskReview, values));
  }

  /** A register's reviews, newest first. */
  async listReviews(register: RiskRegister, page: { limit: number; offset: number }): Promise<{ rows: RiskReview[]; total: number }> {
    const [rows, total] = await this.ds.manager.findAndCount(RiskReview, { where: { register }, order: { reviewedAt: 'DESC', id: 'DESC' }, take: page.limit, skip: page.offset });
    return { rows, total };
  }

  /** Distinct owners of a register's risks that are not closed. */
  async ownersOfOpenRisks(register: RiskRegister): Promise<string[]> {
    const rows = await this.ds.manager
      .createQueryBuilder(Risk, 'r')
      .select('DISTINCT r.owner_user_id', 'owner')
      .where('r.register = :register AND r.status <> :closed', { register, closed: 'closed' })
      .orderBy('owner')
      .getRawMany<{ owner: string }>();
    return rows.map((r) => r.owner);
  }

  /** Reviews of a register completed in [from, to). */
  reviewsBetween(register: RiskRegister, from: Date, to: Date): Promise<number> {
    return this.ds.manager.createQueryBuilder(RiskReview, 'v').where('v.register = :register AND v.reviewed_at >= :from AND v.reviewed_at < :to', { register, from, to }).getCount();
  }

  latestReview(register: RiskRegister): Promise<RiskReview | null> {
    return this.ds.manager.findOne(RiskReview, { where: { register }, order: { reviewedAt: 'DESC', id: 'DESC' } });
  }

  /** The whole register by status, level and residual level (counts only, for the system's own snapshots). */
  async registerSummary(register: RiskRegister): Promise<{ status: string; level: string; residualLevel: string | null; count: number }[]> {
    const rows = await this.ds.manager
      .createQueryBuilder(Risk, 'r')
      .select('r.status', 'status')
      .addSelect('r.level', 'level')
      .addSelect('r.residual_level', 'residualLevel')
      .addSelect('count(*)::int', 'count')
      .where('r.register = :register', { register })
      .groupBy('r.status')
      .addGroupBy('r.level')
      .addGroupBy('r.residual_level')
      .orderBy('r.status')
      .addOrderBy('r.level')
      .addOrderBy('r.residual_level')
      .getRawMany<{ status: string; level: string; residualLevel: string | null; count: number }>();
    return rows;
  }
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, '\\$&');
}
