import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import type { AppAbility } from '../authz/ability.factory';
import { accessibleBy } from '../authz/casl-sql';
import type { FindingSeverity } from '../releases/domain/release-model';
import type { FindingStatus, ScanKind } from './domain/finding-model';
import { Finding, FindingAcceptance, FindingScanImport, PenTest } from './finding.entity';

/** The only place with findings query code. Lists are filtered in SQL by the caller's ability. */
@Injectable()
export class FindingsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private m(m?: EntityManager): EntityManager {
    return m ?? this.ds.manager;
  }

  countAll(m?: EntityManager): Promise<number> {
    return this.m(m).count(Finding);
  }

  findById(id: string, m?: EntityManager): Promise<Finding | null> {
    return this.m(m).findOne(Finding, { where: { id } });
  }

  /** Takes the finding's row lock (changes to one finding are made one at a time). */
  lock(id: string, m: EntityManager): Promise<Finding | null> {
    return m.createQueryBuilder(Finding, 'f').setLock('pessimistic_write').where('f.id = :id', { id }).getOne();
  }

  insert(row: Partial<Finding>, m: EntityManager): Promise<Finding> {
    return m.save(Finding, m.create(Finding, row));
  }

  async update(id: string, changes: Partial<Finding>, m: EntityManager): Promise<void> {
    await m.update(Finding, { id }, changes);
  }

  async listVisible(
    ability: AppAbility,
    filter: { status?: FindingStatus; severity?: FindingSeverity; product?: string; department?: string },
    page: { limit: number; offset: number },
  ): Promise<{ rows: Finding[]; total: number }> {
    const qb = accessibleBy(this.ds.manager.createQueryBuilder(Finding, 'f'), ability, 'read', 'Finding');
    if (filter.status) qb.andWhere('f.status = :status', { status: filter.status });
    if (filter.severity) qb.andWhere('f.severity = :severity', { severity: filter.severity });
    if (filter.product) qb.andWhere('f.product = :product', { product: filter.product });
    if (filter.department) qb.andWhere('f.department = :department', { department: filter.department });
    const [rows, total] = await qb
      .orderBy('f.opened_at', 'ASC')
      .addOrderBy('f.id', 'ASC')
      .skip(page.offset)
      .take(page.limit)
      .getManyAndCount();
    return { rows, total };
  }

  /** Scanner findings of the kind and product, for an import (locked: imports of one product run one at a time). */
  scannerFindings(kind: ScanKind, product: string, m: EntityManager): Promise<Finding[]> {
    return m
      .createQueryBuilder(Finding, 'f')
      .setLock('pessimistic_write')
      .where('f.source = :kind AND f.product = :product', { kind, product })
      .getMany();
  }

  /** Findings whose SLA clock runs: open, or accepted (an expired acceptance counts as open). */
  running(m?: EntityManager): Promise<Finding[]> {
    return this.m(m).find(Finding, { where: { status: In(['open', 'accepted']) }, order: { openedAt: 'ASC' } });
  }

  /**
   * Findings opened before `until` that were not closed before `openAt` (closed ones read as closed now:
   * the caller states each at its moment), oldest first.
   */
  openDuring(openAt: Date, until: Date, m?: EntityManager): Promise<Finding[]> {
    return this.m(m)
      .createQueryBuilder(Finding, 'f')
      .where('f.opened_at < :until', { until })
      .andWhere('(f.closed_at IS NULL OR f.closed_at >= :openAt)', { openAt })
      .orderBy('f.opened_at', 'ASC')
      .addOrderBy('f.id', 'ASC')
      .getMany();
  }

  findImport(kind: ScanKind, product: string, sha256: string, m: EntityManager): Promise<FindingScanImport | null> {
    return m.findOne(FindingScanImport, { where: { kind, product, sha256 } });
  }

  insertImport(row: Partial<FindingScanImport>, m: EntityManager): Promise<FindingScanImport> {
    return m.save(FindingScanImport, m.create(FindingScanImport, row));
  }

  /** Takes a transaction-scoped advisory lock on the kind and product, so two imports do not interleave. */
  async lockProduct(kind: ScanKind, product: string, m: EntityManager): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`findings-import:${kind}:${product}`]);
  }

  /** Acceptances of the findings, newest first. */
  acceptancesOf(findingIds: string[], m?: EntityManager): Promise<FindingAcceptance[]> {
    if (findingIds.length === 0) return Promise.resolve([]);
    return this.m(m).find(FindingAcceptance, {
      where: { findingId: In(findingIds) },
      order: { signedAt: 'DESC', id: 'DESC' },
    });
  }

  insertAcceptance(row: Partial<FindingAcceptance>, m: EntityManager): Promise<FindingAcceptance> {
    return m.save(FindingAcceptance, m.create(FindingAcceptance, row));
  }

  /** Fingerprints of the product's accepted scanner findings whose newest acceptance lasts until `day` or later. */
  async acceptedFingerprints(product: string, day: string, m?: EntityManager): Promise<string[]> {
    const rows: { fingerprint: string }[] = await this.m(m).query(
      `SELECT f.fingerprint FROM findings f
        JOIN LATERAL (SELECT a.expires_on FROM finding_acceptances a WHERE a.finding_id = f.id
                      ORDER BY a.signed_at DESC, a.id DESC LIMIT 1) latest ON TRUE
       WHERE f.product = $1 AND f.status = 'accepted' AND f.fingerprint IS NOT NULL
         AND latest.expires_on >= $2::date`,
      [product, day],
    );
    return rows.map((r) => r.fingerprint);
  }

  findPenTest(id: string, m?: EntityManager): Promise<PenTest | null> {
    return this.m(m).findOne(PenTest, { where: { id } });
  }

  insertPenTest(row: Partial<PenTest>, m: EntityManager): Promise<PenTest> {
    return m.save(PenTest, m.create(PenTest, row));
  }

  listPenTests(page: { limit: number; offset: number }): Promise<[PenTest[], number]> {
    return this.ds.manager.findAndCount(PenTest, {
      order: { startsOn: 'DESC', id: 'ASC' },
      skip: page.offset,
      take: page.limit,
    });
  }
}
