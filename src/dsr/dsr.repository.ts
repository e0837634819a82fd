import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Readable, Writable } from 'node:stream';
import { DataSource, EntityManager, In, IsNull, LessThanOrEqual, Not } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { containsPattern } from '../common/db/like';
import type { AppAbility } from '../authz/ability.factory';
import { accessibleBy } from '../authz/casl-sql';
import { ConflictError } from '../common/errors/app-error';
import { isUniqueViolation } from '../common/db/unique-violation';
import { DataSystem } from './data-system.entity';
import { DsrAction } from './dsr-action.entity';
import { DsrRequest } from './dsr-request.entity';
import { DsrDrill, DsrExportLink, DsrLegalHold, DsrRopaEntry } from './dsr-support.entity';

/** Size of the pieces an encrypted export package is stored in (dsr_export_chunks). */
export const EXPORT_CHUNK_BYTES = 1024 * 1024;

/** A writable that stores what it is given as a request's export chunks; `chunks` once it has finished. */
export interface ExportSink extends Writable {
  readonly chunks: number;
}

export interface DsrListFilter {
  status?: string;
  right?: string;
  /** open = received, verified or in progress. */
  open?: boolean;
  overdue?: boolean;
  includeDrills?: boolean;
  q?: string;
}

/** The only place with DSR query code. Lists are filtered in SQL by the caller's ability. */
@Injectable()
export class DsrRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private m(m?: EntityManager): EntityManager {
    return m ?? this.ds.manager;
  }

  // ---- data systems ------------------------------------------------------------------------------

  listSystems(filter: { activeOnly?: boolean } = {}): Promise<DataSystem[]> {
    return this.ds.manager.find(DataSystem, {
      where: filter.activeOnly ? { active: true } : {},
      order: { key: 'ASC' },
    });
  }

  findSystemByKey(key: string, m?: EntityManager): Promise<DataSystem | null> {
    return this.m(m).findOne(DataSystem, { where: { key } });
  }

  async saveSystem(values: Partial<DataSystem>, m: EntityManager): Promise<DataSystem> {
    try {
      return await m.save(DataSystem, m.create(DataSystem, values));
    } catch (e) {
      if (isUniqueViolation(e, 'UQ_data_systems_key'))
        throw new ConflictError('dsr.system_key_taken', `A data system with key ${values.key} already exists.`);
      throw e;
    }
  }

  // ---- requests ----------------------------------------------------------------------------------

  async nextReferenceNumber(m: EntityManager): Promise<number> {
    const [row] = (await m.query(`SELECT nextval('dsr_reference_seq')::int AS n`)) as { n: number }[];
    return row.n;
  }

  async insertRequest(values: Partial<DsrRequest>, m: EntityManager): Promise<DsrRequest> {
    return m.save(DsrRequest, m.create(DsrRequest, values));
  }

  findRequest(id: string, m?: EntityManager): Promise<DsrRequest | null> {
    return this.m(m).findOne(DsrRequest, { where: { id } });
  }

  lockRequest(id: string, m: EntityManager): Promise<DsrRequest | null> {
    return m.createQueryBuilder(DsrRequest, 'r').setLock('pessimistic_write').where('r.id = :id', { id }).getOne();
  }

  async updateRequest(id: string, values: Partial<DsrRequest>, m?: EntityManager): Promise<void> {
    await this.m(m).update(DsrRequest, { id }, { ...values, version: () => 'version + 1' } as never);
  }

  async listVisible(
    ability: AppAbility,
    filter: DsrListFilter,
    page: { limit: number; offset: number },
    now: Date,
  ): Promise<{ rows: DsrRequest[]; total: number }> {
    const qb = accessibleBy(this.ds.manager.createQueryBuilder(DsrRequest, 'r'), ability, 'read', 'DsrRequest');
    if (!filter.includeDrills) qb.andWhere('r.is_drill = false');
    if (filter.status) qb.andWhere('r.status = :status', { status: filter.status });
    if (filter.right) qb.andWhere('r.right = :right', { right: filter.right });
    if (filter.open) qb.andWhere(`r.status IN ('received', 'verified', 'in_progress')`);
    if (filter.overdue)
      qb.andWhere(
        `r.status IN ('received', 'verified', 'in_progress') AND (r.due_at < :now OR (r.statutory_due_at < :now AND r.separated_at IS NULL))`,
        { now },
      );
    if (filter.q) qb.andWhere('r.reference ILIKE :q', { q: containsPattern(filter.q) });
    // Open requests first, then by the soonest of the two deadlines (an objection's: an hour after separation was owed).
    const [rows, total] = await qb
      .orderBy(`CASE WHEN r.status IN ('completed', 'rejected') THEN 1 ELSE 0 END`, 'ASC')
      .addOrderBy(
        'LEAST(r.due_at, COALESCE(CASE WHEN r.separated_at IS NULL THEN r.statutory_due_at END, r.due_at))',
        'ASC',
      )
      .addOrderBy('r.reference', 'ASC')
      .skip(page.offset)
      .take(page.limit)
      .getManyAndCount();
    return { rows, total };
  }

  /**
   * Requests received since `since` (drills excluded) that the ability may read, counted per calendar month
   * (YYYY-MM) in the zone `tz`.
   */
  receivedByMonth(ability: AppAbility, since: Date, tz: string): Promise<{ month: string; requests: number }[]> {
    return accessibleBy(this.ds.manager.createQueryBuilder(DsrRequest, 'r'), ability, 'read', 'DsrRequest')
      .andWhere('r.is_drill = false')
      .andWhere('r.received_at >= :since', { since })
      .select(`to_char(r.received_at AT TIME ZONE :tz, 'YYYY-MM')`, 'month')
      .addSelect('count(*)::int', 'requests')
      .setParameter('tz', tz)
      .groupBy('1')
      .orderBy('1', 'ASC')
      .getRawMany<{ month: string; requests: number }>();
  }

  /** Open requests (drills excluded), for clock reminders and the register snapshot. */
  openRequests(): Promise<DsrRequest[]> {
    return this.ds.manager.find(DsrRequest, {
      where: { status: In(['received', 'verified', 'in_progress']), isDrill: false },
      order: { dueAt: 'ASC' },
    });
  }

  /** Every request received in [from, to), drills excluded, for the weekly register snapshot. */
  requestsBetween(from: Date, to: Date): Promise<DsrRequest[]> {
    return this.ds.manager
      .createQueryBuilder(DsrRequest, 'r')
      .where('r.is_drill = false')
      .andWhere(
        `(r.status IN ('received', 'verified', 'in_progress') OR (r.closed_at >= :from AND r.closed_at < :to) OR (r.received_at >= :from AND r.received_at < :to))`,
        { from, to },
      )
      .orderBy('r.received_at', 'ASC')
      .getMany();
  }

  /** Requests whose export package was made before `before` and is still stored. */
  packagesMadeBefore(before: Date): Promise<DsrRequest[]> {
    return this.ds.manager.find(DsrRequest, {
      where: { exportChunks: Not(IsNull()), exportedAt: LessThanOrEqual(before) },
      order: { exportedAt: 'ASC' },
    });
  }

  // ---- export packages (encrypted bytes in PostgreSQL, where every instance reads them) -------------

  /**
   * Stores the bytes written to it as `requestId`'s export package, in EXPORT_CHUNK_BYTES pieces, in the
   * caller's transaction (a package is stored whole or not at all). Any package stored before is replaced.
   * Memory stays bounded: at most one piece is held.
   */
  async exportSink(requestId: string, m: EntityManager): Promise<ExportSink> {
    await m.query(`DELETE FROM dsr_export_chunks WHERE request_id = $1`, [requestId]);
    let held: Buffer[] = [];
    let heldBytes = 0;
    let n = 0;
    const insert = async (data: Buffer) => {
      await m.query(`INSERT INTO dsr_export_chunks (request_id, n, data) VALUES ($1, $2, $3)`, [requestId, n, data]);
      n++;
    };
    const take = async (chunk: Buffer) => {
      held.push(chunk);
      heldBytes += chunk.length;
      while (heldBytes >= EXPORT_CHUNK_BYTES) {
        const all = Buffer.concat(held);
        await insert(all.subarray(0, EXPORT_CHUNK_BYTES));
        held = [all.subarray(EXPORT_CHUNK_BYTES)];
        heldBytes = held[0].length;
      }
    };
    const rest = async () => {
      if (heldBytes > 0) await insert(Buffer.concat(held));
      held = [];
      heldBytes = 0;
    };
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        take(chunk).then(() => done(), done);
      },
      final(done) {
        rest().then(() => done(), done);
      },
    });
    return Object.defineProperty(sink, 'chunks', { get: () => n }) as ExportSink;
  }

  /** The stored bytes of a request's export package (`chunks` pieces), one piece per query; errors on a missing piece. */
  openExport(requestId: string, chunks: number): Readable {
    const ds = this.ds;
    async function* pieces(): AsyncGenerator<Buffer> {
      for (let n = 0; n < chunks; n++) {
        const rows: { data: Buffer }[] = await ds.query(
          `SELECT data FROM dsr_export_chunks WHERE request_id = $1 AND n = $2`,
          [requestId, n],
        );
        if (rows.length !== 1) throw new Error(`piece ${n} of the export package is missing`);
        yield rows[0].data;
      }
    }
    return Readable.from(pieces(), { objectMode: false });
  }

  async deleteExport(requestId: string, m?: EntityManager): Promise<void> {
    await this.m(m).query(`DELETE FROM dsr_export_chunks WHERE request_id = $1`, [requestId]);
  }

  /** Requests whose scheduled erasure is due and not yet done. */
  dueErasures(now: Date): Promise<DsrRequest[]> {
    return this.ds.manager.find(DsrRequest, {
      where: {
        erasureScheduledFor: LessThanOrEqual(now),
        erasedAt: IsNull(),
        status: Not(In(['completed', 'rejected'])),
      },
      order: { erasureScheduledFor: 'ASC' },
    });
  }

  // ---- actions -----------------------------------------------------------------------------------

  actionsOf(requestId: string, m?: EntityManager): Promise<DsrAction[]> {
    return this.m(m).find(DsrAction, { where: { requestId }, order: { createdAt: 'ASC', systemKey: 'ASC' } });
  }

  /** The action for (request, system, kind), created pending when missing. */
  async ensureAction(
    values: Pick<DsrAction, 'requestId' | 'systemKey' | 'kind'> & Partial<DsrAction>,
    m?: EntityManager,
  ): Promise<DsrAction> {
    await this.m(m)
      .createQueryBuilder()
      .insert()
      .into(DsrAction)
      .values({ status: 'pending', ...values } as QueryDeepPartialEntity<DsrAction>)
      .orIgnore()
      .execute();
    return (await this.m(m).findOne(DsrAction, {
      where: { requestId: values.requestId, systemKey: values.systemKey, kind: values.kind },
    }))!;
  }

  async updateAction(id: string, values: Partial<DsrAction>, m?: EntityManager): Promise<void> {
    await this.m(m).update(DsrAction, { id }, values as QueryDeepPartialEntity<DsrAction>);
  }

  findAction(id: string, m?: EntityManager): Promise<DsrAction | null> {
    return this.m(m).findOne(DsrAction, { where: { id } });
  }

  async listTasksVisible(
    ability: AppAbility,
    page: { limit: number; offset: number },
    openOnly: boolean,
  ): Promise<{ rows: DsrAction[]; total: number }> {
    const qb = accessibleBy(this.ds.manager.createQueryBuilder(DsrAction, 'a'), ability, 'read', 'DsrTask').andWhere(
      `a.kind LIKE 'manual%'`,
    );
    if (openOnly) qb.andWhere(`a.status = 'awaiting_manual'`);
    const [rows, total] = await qb.orderBy('a.created_at', 'ASC').skip(page.offset).take(page.limit).getManyAndCount();
    return { rows, total };
  }

  // ---- holds, links, ROPA, drills ------------------------------------------------------------------

  holdsOf(requestId: string, m?: EntityManager): Promise<DsrLegalHold[]> {
    return this.m(m).find(DsrLegalHold, { where: { requestId }, order: { placedAt: 'ASC' } });
  }

  async insertHold(values: Partial<DsrLegalHold>, m: EntityManager): Promise<DsrLegalHold> {
    return m.save(DsrLegalHold, m.create(DsrLegalHold, values));
  }

  async releaseHold(id: string, userId: string, m: EntityManager): Promise<boolean> {
    const r = await m.update(
      DsrLegalHold,
      { id, releasedAt: IsNull() },
      { releasedAt: new Date(), releasedByUserId: userId },
    );
    return (r.affected ?? 0) > 0;
  }

  async insertLink(values: Partial<DsrExportLink>, m?: EntityManager): Promise<DsrExportLink> {
    return this.m(m).save(DsrExportLink, this.m(m).create(DsrExportLink, values));
  }

  findLinkByToken(tokenSha256: string): Promise<DsrExportLink | null> {
    return this.ds.manager.findOne(DsrExportLink, { where: { tokenSha256 } });
  }

  async countDownload(linkId: string, m: EntityManager): Promise<void> {
    await m.increment(DsrExportLink, { id: linkId }, 'downloads', 1);
  }

  async insertRopa(values: Partial<DsrRopaEntry>, m: EntityManager): Promise<DsrRopaEntry> {
    return m.save(DsrRopaEntry, m.create(DsrRopaEntry, values));
  }

  ropaBetween(from: Date, to: Date): Promise<DsrRopaEntry[]> {
    return this.ds.manager
      .createQueryBuilder(DsrRopaEntry, 'e')
      .where('e.recorded_at >= :from AND e.recorded_at < :to', { from, to })
      .orderBy('e.recorded_at', 'ASC')
      .getMany();
  }

  async insertDrill(values: Partial<DsrDrill>): Promise<DsrDrill> {
    return this.ds.manager.save(DsrDrill, this.ds.manager.create(DsrDrill, values));
  }

  async updateDrill(id: string, values: Partial<DsrDrill>, m?: EntityManager): Promise<void> {
    await this.m(m).update(DsrDrill, { id }, values as QueryDeepPartialEntity<DsrDrill>);
  }

  /** Drills, newest first; with an ability, only those it may read (an auditor: run within their period), in SQL. */
  async listDrills(
    page: { limit: number; offset: number },
    ability?: AppAbility,
  ): Promise<{ rows: DsrDrill[]; total: number }> {
    const qb = this.ds.manager.createQueryBuilder(DsrDrill, 'd');
    if (ability) accessibleBy(qb, ability, 'read', 'DsrDrill');
    const [rows, total] = await qb
      .orderBy('d.started_at', 'DESC')
      .addOrderBy('d.id', 'DESC')
      .skip(page.offset)
      .take(page.limit)
      .getManyAndCount();
    return { rows, total };
  }

  findDrill(id: string): Promise<DsrDrill | null> {
    return this.ds.manager.findOne(DsrDrill, { where: { id } });
  }

  latestDrill(): Promise<DsrDrill | null> {
    return this.ds.manager.findOne(DsrDrill, { where: { passed: Not(IsNull()) }, order: { startedAt: 'DESC' } });
  }
}
