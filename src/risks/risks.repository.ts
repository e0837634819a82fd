import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, SelectQueryBuilder } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { containsPattern } from '../common/db/like';
import type { AppAbility } from '../authz/ability.factory';
import { accessibleBy, caslWhere, UnsupportedCaslConditionError, type VirtualFields } from '../authz/casl-sql';
import { ConflictError } from '../common/errors/app-error';
import { isUniqueViolation } from '../common/db/unique-violation';
import type { RiskLevel } from './domain/risk-matrix';
import type { ControlSnapshot, RiskRegister, RiskStatus } from './domain/risk-model';
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

/**
 * Risks as the caller may read them: each as its newest version the ability may read (an auditor: the
 * version current at the end of their period; everyone else: the current one). `snapshots` holds the
 * controls of the rows rebuilt from an older version (the rest have their current controls).
 */
export interface RiskStates {
  rows: Risk[];
  snapshots: Map<string, ControlSnapshot[]>;
}

/** `register` in a RiskVersion rule: the register of the version's risk (versions aliased `v`). */
const RISK_VERSION_VIRTUAL_FIELDS: VirtualFields = {
  register: (operator, value, param) => {
    const register = '(SELECT rr.register::text FROM risks rr WHERE rr.id = v.risk_id)';
    if (operator === 'eq') return `${register} = ${param(value)}`;
    if (operator === 'in')
      return (value as unknown[]).length ? `${register} IN (${(value as unknown[]).map(param).join(', ')})` : 'FALSE';
    throw new UnsupportedCaslConditionError(`CASL operator ${operator} on a risk version's register`);
  },
};

/** Risk columns (by property) and their keys in a version's `after` snapshot, for the as-of expressions. */
const AS_OF: Record<string, string> = {
  product: 'product',
  title: 'title',
  hazard: 'hazard',
  harm: 'harm',
  status: 'status',
  level: 'level',
  residual_level: 'residualLevel',
  severity: 'severity',
  probability: 'probability',
  residual_severity: 'residualSeverity',
  residual_probability: 'residualProbability',
  owner_user_id: 'ownerUserId',
};

/** A column of the risk as it stood in its newest readable version `sv` (the current row when that is the current version). */
function asOf(column: keyof typeof AS_OF): string {
  return `(CASE WHEN sv.risk_id IS NULL OR sv.version = r.version THEN r.${column}::text ELSE sv.after->>'${AS_OF[column]}' END)`;
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

  /**
   * Risks the ability may read, each joined to its newest version the ability may read (`sv`): a risk
   * with versions but none readable is not returned. Filters apply to the risk as it stood in that version.
   * `version` is the SQL of that version's number (null for a risk without versions), `col` of a column as
   * it stood in that version.
   *
   * When the ability reads every version (managers, admins, the system), no join is needed: every change
   * of a risk writes its version in the same transaction (RiskRecords), so a risk's newest version is its
   * current row, and every readable risk is listed. This spares each list a `DISTINCT ON` over all of
   * `risk_versions`.
   */
  private visible(
    ability: AppAbility,
    filter: RiskListFilter & { id?: string },
  ): { qb: SelectQueryBuilder<Risk>; version: string; col: (column: keyof typeof AS_OF) => string } {
    const qb = accessibleBy(this.ds.manager.createQueryBuilder(Risk, 'r'), ability, 'read', 'Risk');
    const versions = caslWhere(
      this.ds.manager.createQueryBuilder(RiskVersion, 'v'),
      ability,
      'read',
      'RiskVersion',
      RISK_VERSION_VIRTUAL_FIELDS,
    );
    const everyVersion = versions.sql === 'TRUE';
    const col = (column: keyof typeof AS_OF) => (everyVersion ? `r.${column}::text` : asOf(column));
    if (!everyVersion)
      qb.leftJoin(
        `(SELECT DISTINCT ON (v.risk_id) v.risk_id, v.version, v.at, v.after FROM risk_versions v WHERE ${versions.sql} ORDER BY v.risk_id, v.version DESC)`,
        'sv',
        'sv.risk_id = r.id',
      )
        .setParameters(versions.params)
        .andWhere('(sv.risk_id IS NOT NULL OR NOT EXISTS (SELECT 1 FROM risk_versions v0 WHERE v0.risk_id = r.id))');
    if (filter.id) qb.andWhere('r.id = :id', { id: filter.id });
    if (filter.register) qb.andWhere('r.register = :register', { register: filter.register });
    if (filter.product) qb.andWhere(`${col('product')} = :product`, { product: filter.product });
    if (filter.status) qb.andWhere(`${col('status')} = :status`, { status: filter.status });
    if (filter.level) qb.andWhere(`${col('level')} = :level`, { level: filter.level });
    if (filter.residualLevel)
      qb.andWhere(`${col('residual_level')} = :residualLevel`, { residualLevel: filter.residualLevel });
    if (filter.ownerUserId) qb.andWhere(`${col('owner_user_id')} = :owner`, { owner: filter.ownerUserId });
    if (filter.q)
      qb.andWhere(
        `(r.ref ILIKE :q OR ${col('title')} ILIKE :q OR ${col('hazard')} ILIKE :q OR ${col('harm')} ILIKE :q)`,
        {
          q: containsPattern(filter.q),
        },
      );
    return { qb, version: everyVersion ? 'r.version' : 'sv.version', col };
  }

  /** Risks the ability may read (each as its newest readable version), filtered and paged in SQL, by register then ref. */
  async listVisible(
    ability: AppAbility,
    filter: RiskListFilter,
    page: { limit: number; offset: number },
  ): Promise<RiskStates & { total: number }> {
    const { qb, version } = this.visible(ability, filter);
    // The total comes with the page (one row per risk: `sv` is at most one version of it), so the newest
    // versions are computed once per list, not twice; only a page past the end needs a count of its own.
    const rows = await qb
      .clone()
      .select('r.id', 'id')
      .addSelect(version, 'version')
      .addSelect('count(*) OVER ()', 'total')
      .orderBy('r.register', 'ASC')
      .addOrderBy('r.ref', 'ASC')
      .offset(page.offset)
      .limit(page.limit)
      .getRawMany<{ id: string; version: number | null; total: string }>();
    const total = rows.length ? Number(rows[0].total) : page.offset > 0 ? await qb.clone().getCount() : 0;
    const found = rows.map(({ id, version }) => ({ id, version }));
    return { ...(await this.states(found)), total };
  }

  /** One risk as the ability may read it (its newest readable version), or null when it may not. */
  async findVisible(ability: AppAbility, id: string): Promise<RiskStates> {
    const { qb, version } = this.visible(ability, { id });
    const found = await qb
      .select('r.id', 'id')
      .addSelect(version, 'version')
      .getRawMany<{ id: string; version: number | null }>();
    return this.states(found);
  }

  /** Rows for (risk, version): the current row when that is its version, else the risk rebuilt from the version. */
  private async states(found: { id: string; version: number | null }[]): Promise<RiskStates> {
    const ids = found.map((f) => f.id);
    if (ids.length === 0) return { rows: [], snapshots: new Map() };
    const current = new Map((await this.ds.manager.find(Risk, { where: { id: In(ids) } })).map((r) => [r.id, r]));
    const older = found.filter((f) => f.version !== null && Number(f.version) !== current.get(f.id)?.version);
    const versions = older.length
      ? await this.ds.manager
          .createQueryBuilder(RiskVersion, 'v')
          .where(
            older.map((_, i) => `(v.risk_id = :r${i} AND v.version = :v${i})`).join(' OR '),
            Object.fromEntries(
              older.flatMap((f, i) => [
                [`r${i}`, f.id],
                [`v${i}`, Number(f.version)],
              ]),
            ),
          )
          .getMany()
      : [];
    const byRisk = new Map(versions.map((v) => [v.riskId, v]));
    const snapshots = new Map<string, ControlSnapshot[]>();
    const rows = found.map((f) => {
      const risk = current.get(f.id)!;
      const v = byRisk.get(f.id);
      if (!v) return risk;
      const { controls, ...fields } = v.after;
      snapshots.set(risk.id, controls ?? []);
      return { ...risk, ...fields, version: v.version, updatedAt: v.at };
    });
    return { rows, snapshots };
  }

  /** Counts per (severity, probability) before controls and after them (residual, else the initial cell), as each risk stood in its newest readable version. */
  async heatmapCounts(
    ability: AppAbility,
    filter: RiskListFilter,
  ): Promise<{ before: CellCount[]; after: CellCount[]; unassessed: number }> {
    const { col } = this.visible(ability, filter);
    const count = async (s: string, p: string) =>
      (
        await this.visible(ability, filter)
          .qb.select(`${s}`, 'severity')
          .addSelect(`${p}`, 'probability')
          .addSelect('count(*)::int', 'count')
          .groupBy(s)
          .addGroupBy(p)
          .getRawMany<CellCount>()
      ).map((c) => ({ ...c, count: Number(c.count) }));
    const [before, after, unassessed] = await Promise.all([
      count(col('severity'), col('probability')),
      count(
        `COALESCE(${col('residual_severity')}, ${col('severity')})`,
        `COALESCE(${col('residual_probability')}, ${col('probability')})`,
      ),
      this.visible(ability, filter)
        .qb.andWhere(`${col('residual_level')} IS NULL`)
        .getCount(),
    ]);
    return { before, after, unassessed };
  }

  async insert(values: Partial<Risk>, m: EntityManager): Promise<Risk> {
    try {
      return await m.save(Risk, m.create(Risk, values));
    } catch (e) {
      if (isUniqueViolation(e, 'UQ_risks_register_ref'))
        throw new ConflictError('risk.ref_taken', `${values.ref} is already in the ${values.register} register.`);
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

  async replaceControls(
    riskId: string,
    controls: Omit<RiskControl, 'id' | 'riskId' | 'risk'>[],
    m: EntityManager,
  ): Promise<void> {
    await m.delete(RiskControl, { riskId });
    if (controls.length)
      await m.insert(
        RiskControl,
        controls.map((c) => ({ ...c, riskId })),
      );
  }

  async insertVersion(values: Omit<RiskVersion, 'id' | 'at' | 'risk'>, m: EntityManager): Promise<void> {
    await m.insert(RiskVersion, values as QueryDeepPartialEntity<RiskVersion>);
  }

  /** A risk's versions the ability may read (an auditor: those dated before their period's end), newest first. */
  versionsOf(riskId: string, ability: AppAbility): Promise<RiskVersion[]> {
    return accessibleBy(
      this.ds.manager.createQueryBuilder(RiskVersion, 'v'),
      ability,
      'read',
      'RiskVersion',
      RISK_VERSION_VIRTUAL_FIELDS,
    )
      .andWhere('v.risk_id = :riskId', { riskId })
      .orderBy('v.version', 'DESC')
      .getMany();
  }

  /**
   * Row locks on many risks at once, in id order, taken before any audit-trail append (which holds the
   * chain lock to commit): a change always takes its row lock first, so imports and edits never deadlock.
   */
  async lockAllForUpdate(ids: string[], m: EntityManager): Promise<Map<string, Risk>> {
    if (ids.length === 0) return new Map();
    const rows = await m
      .createQueryBuilder(Risk, 'r')
      .setLock('pessimistic_write')
      .where('r.id IN (:...ids)', { ids })
      .orderBy('r.id', 'ASC')
      .getMany();
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

  /** A register's reviews the ability may read (an auditor: completed within their period), newest first. */
  async listReviews(
    ability: AppAbility,
    register: RiskRegister,
    page: { limit: number; offset: number },
  ): Promise<{ rows: RiskReview[]; total: number }> {
    const [rows, total] = await accessibleBy(
      this.ds.manager.createQueryBuilder(RiskReview, 'v'),
      ability,
      'read',
      'RiskReview',
    )
      .andWhere('v.register = :register', { register })
      .orderBy('v.reviewed_at', 'DESC')
      .addOrderBy('v.id', 'DESC')
      .skip(page.offset)
      .take(page.limit)
      .getManyAndCount();
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
    return this.ds.manager
      .createQueryBuilder(RiskReview, 'v')
      .where('v.register = :register AND v.reviewed_at >= :from AND v.reviewed_at < :to', { register, from, to })
      .getCount();
  }

  latestReview(register: RiskRegister): Promise<RiskReview | null> {
    return this.ds.manager.findOne(RiskReview, { where: { register }, order: { reviewedAt: 'DESC', id: 'DESC' } });
  }

  /** The whole register by status, level and residual level (counts only, for the system's own snapshots). */
  async registerSummary(
    register: RiskRegister,
  ): Promise<{ status: string; level: string; residualLevel: string | null; count: number }[]> {
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
