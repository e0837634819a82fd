import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import type { AppAbility } from '../authz/ability.factory';
import { accessibleBy } from '../authz/casl-sql';
import type { AttachmentKind } from './domain/release-model';
import { ReleaseAttachment, ReleaseSignature } from './release-records.entity';
import { Release } from './release.entity';

/** The only place with release query code. Lists are filtered in SQL by the caller's ability. */
@Injectable()
export class ReleasesRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private m(m?: EntityManager): EntityManager {
    return m ?? this.ds.manager;
  }

  find(product: string, version: string, m?: EntityManager): Promise<Release | null> {
    return this.m(m).findOne(Release, { where: { product, version } });
  }

  /** Takes the release's row lock: attachments and signatures of one release are written one at a time. */
  lock(product: string, version: string, m: EntityManager): Promise<Release | null> {
    return m
      .createQueryBuilder(Release, 'r')
      .setLock('pessimistic_write')
      .where('r.product = :product AND r.version = :version', { product, version })
      .getOne();
  }

  /**
   * Inserts the release unless the product already has that version (two CI jobs racing): returns the row
   * that holds the version and whether this call created it.
   */
  async insertOnce(row: Partial<Release>, m: EntityManager): Promise<{ release: Release; created: boolean }> {
    const inserted: { id: string }[] = await m.query(
      `INSERT INTO releases (product, version, commit, built_at, anomalies, created_by_user_id)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (product, version) DO NOTHING RETURNING id`,
      [row.product, row.version, row.commit, row.builtAt, JSON.stringify(row.anomalies ?? []), row.createdByUserId],
    );
    const release = await this.lock(row.product!, row.version!, m);
    return { release: release!, created: inserted.length === 1 };
  }

  async updateAnomalies(id: string, anomalies: Release['anomalies'], m: EntityManager): Promise<void> {
    await m.update(Release, { id }, { anomalies });
  }

  async setRiskReport(
    id: string,
    report: { evidenceId: string; sha256: string; at: Date },
    m: EntityManager,
  ): Promise<void> {
    await m.update(
      Release,
      { id },
      { riskReportEvidenceId: report.evidenceId, riskReportSha256: report.sha256, riskReportAt: report.at },
    );
  }

  async listVisible(
    ability: AppAbility,
    filter: { product?: string },
    page: { limit: number; offset: number },
  ): Promise<{ rows: Release[]; total: number }> {
    const qb = accessibleBy(this.ds.manager.createQueryBuilder(Release, 'r'), ability, 'read', 'Release');
    if (filter.product) qb.andWhere('r.product = :product', { product: filter.product });
    const [rows, total] = await qb
      .orderBy('r.built_at', 'DESC')
      .addOrderBy('r.version', 'DESC')
      .skip(page.offset)
      .take(page.limit)
      .getManyAndCount();
    return { rows, total };
  }

  /** The release of the same product built last before this one (the SOUP list is compared with it). */
  previous(r: Release, m?: EntityManager): Promise<Release | null> {
    return this.m(m)
      .createQueryBuilder(Release, 'r')
      .where('r.product = :product AND r.id <> :id', { product: r.product, id: r.id })
      .andWhere('(r.built_at, r.created_at) < (:builtAt, :createdAt)', { builtAt: r.builtAt, createdAt: r.createdAt })
      .orderBy('r.built_at', 'DESC')
      .addOrderBy('r.created_at', 'DESC')
      .getOne();
  }

  /** Releases built within [from, to), oldest first (audit packs). */
  builtBetween(from: Date, to: Date, m?: EntityManager): Promise<Release[]> {
    return this.m(m)
      .createQueryBuilder(Release, 'r')
      .where('r.built_at >= :from AND r.built_at < :to', { from, to })
      .orderBy('r.built_at', 'ASC')
      .addOrderBy('r.version', 'ASC')
      .getMany();
  }

  /** Attachments of the releases, oldest first. */
  attachmentsOf(releaseIds: string[], m?: EntityManager): Promise<ReleaseAttachment[]> {
    if (releaseIds.length === 0) return Promise.resolve([]);
    return this.m(m).find(ReleaseAttachment, {
      where: { releaseId: In(releaseIds) },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  findAttachment(releaseId: string, kind: AttachmentKind, sha256: string, m: EntityManager) {
    return m.findOne(ReleaseAttachment, { where: { releaseId, kind, sha256 } });
  }

  insertAttachment(row: Partial<ReleaseAttachment>, m: EntityManager): Promise<ReleaseAttachment> {
    return m.save(ReleaseAttachment, m.create(ReleaseAttachment, row));
  }

  signaturesOf(releaseIds: string[], m?: EntityManager): Promise<ReleaseSignature[]> {
    if (releaseIds.length === 0) return Promise.resolve([]);
    return this.m(m).find(ReleaseSignature, {
      where: { releaseId: In(releaseIds) },
      order: { signedAt: 'ASC', id: 'ASC' },
    });
  }

  insertSignature(row: Partial<ReleaseSignature>, m: EntityManager): Promise<ReleaseSignature> {
    return m.save(ReleaseSignature, m.create(ReleaseSignature, row));
  }
}
