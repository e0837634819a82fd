import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { containsPattern } from '../common/db/like';
import type { AppAbility } from '../authz/ability.factory';
import { accessibleBy, UnsupportedCaslConditionError, type VirtualFields } from '../authz/casl-sql';
import { isUniqueViolation } from '../common/db/unique-violation';
import { Blob } from './blob.entity';
import { UUID, type EvidenceKind } from './domain/evidence-model';
import { EvidenceControl } from './evidence-control.entity';
import { EvidenceFile } from './evidence-file.entity';
import { Evidence } from './evidence.entity';
import { AlreadySupersededError } from './evidence.errors';

export interface EvidenceListFilter {
  controlId?: string;
  kind?: EvidenceKind;
  from?: Date;
  before?: Date;
  submittedBy?: string;
  current?: boolean;
  /** Words the title contains (case-insensitive). */
  q?: string;
  limit: number;
  offset: number;
}

/** What the list and detail views add to an item: its controls (ids), files and the item correcting it. */
export interface EvidenceDetails {
  controlIds: Map<string, string[]>;
  files: Map<string, EvidenceFile[]>;
  supersededBy: Map<string, string>;
}

const NOT_SUPERSEDED = `NOT EXISTS (SELECT 1 FROM evidence s WHERE s.supersedes = e.id)`;

/** `controlIds` in a rule (auditors: evidence of the controls in their engagement's scope), for lists aliased `e`. */
const EVIDENCE_VIRTUAL_FIELDS: VirtualFields = {
  controlIds: (operator, value, param) => {
    if (operator !== 'in') throw new UnsupportedCaslConditionError(`CASL operator ${operator} on Evidence controlIds`);
    const ids = value as string[];
    return ids.length
      ? `EXISTS (SELECT 1 FROM evidence_controls rc WHERE rc.evidence_id = e.id AND rc.control_id IN (${ids.map(param).join(', ')}))`
      : 'FALSE';
  },
};

/** The only place with evidence query code. Rows are only ever inserted (triggers refuse the rest). */
@Injectable()
export class EvidenceRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Inserts an item, its control links and its files; a second correction of the same item is a 409. */
  async insert(
    row: Omit<Evidence, 'id'>,
    controlIds: string[],
    files: Omit<EvidenceFile, 'evidenceId'>[],
    m: EntityManager,
  ): Promise<string> {
    let id: string;
    try {
      id = (await m.insert(Evidence, row)).identifiers[0].id as string;
    } catch (e) {
      if (isUniqueViolation(e, 'UQ_evidence_supersedes')) throw new AlreadySupersededError(row.supersedes!);
      throw e;
    }
    await m.insert(
      EvidenceControl,
      controlIds.map((controlId) => ({ evidenceId: id, controlId })),
    );
    if (files.length)
      await m.insert(
        EvidenceFile,
        files.map((f) => ({ ...f, evidenceId: id })),
      );
    return id;
  }

  /** The ids of the controls an item serves (rules may name them: `controlIds`). */
  async controlIdsOf(id: string): Promise<string[]> {
    const rows: { control_id: string }[] = await this.ds.query(
      `SELECT control_id FROM evidence_controls WHERE evidence_id = $1`,
      [id],
    );
    return rows.map((r) => r.control_id);
  }

  findById(id: string, m?: EntityManager): Promise<Evidence | null> {
    return (m ?? this.ds.manager).findOne(Evidence, { where: { id } });
  }

  async isSuperseded(id: string): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(`SELECT 1 FROM evidence WHERE supersedes = $1`, [id]);
    return rows.length > 0;
  }

  async details(ids: string[]): Promise<EvidenceDetails> {
    const out: EvidenceDetails = { controlIds: new Map(), files: new Map(), supersededBy: new Map() };
    if (ids.length === 0) return out;
    const [links, files, successors] = await Promise.all([
      this.ds.query(`SELECT evidence_id, control_id FROM evidence_controls WHERE evidence_id = ANY($1::uuid[])`, [
        ids,
      ]) as Promise<{ evidence_id: string; control_id: string }[]>,
      this.ds.manager
        .createQueryBuilder(EvidenceFile, 'f')
        .where('f.evidence_id = ANY(:ids)', { ids })
        .orderBy('f.n', 'ASC')
        .getMany(),
      this.ds.query(`SELECT id, supersedes FROM evidence WHERE supersedes = ANY($1::uuid[])`, [ids]) as Promise<
        { id: string; supersedes: string }[]
      >,
    ]);
    for (const l of links)
      out.controlIds.set(l.evidence_id, [...(out.controlIds.get(l.evidence_id) ?? []), l.control_id]);
    for (const f of files) out.files.set(f.evidenceId, [...(out.files.get(f.evidenceId) ?? []), f]);
    for (const s of successors) out.supersededBy.set(s.supersedes, s.id);
    return out;
  }

  /** Items the ability may read, filtered and paged in SQL, newest first. */
  async list(ability: AppAbility, filter: EvidenceListFilter): Promise<{ rows: Evidence[]; total: number }> {
    const qb = accessibleBy(
      this.ds.manager.createQueryBuilder(Evidence, 'e'),
      ability,
      'read',
      'Evidence',
      EVIDENCE_VIRTUAL_FIELDS,
    );
    if (filter.controlId)
      qb.andWhere(
        'EXISTS (SELECT 1 FROM evidence_controls ec WHERE ec.evidence_id = e.id AND ec.control_id = :controlId)',
        { controlId: filter.controlId },
      );
    if (filter.kind) qb.andWhere('e.kind = :kind', { kind: filter.kind });
    if (filter.from) qb.andWhere('e.evidence_date >= :from', { from: filter.from });
    if (filter.before) qb.andWhere('e.evidence_date < :before', { before: filter.before });
    if (filter.submittedBy) qb.andWhere('e.submitted_by = :submittedBy', { submittedBy: filter.submittedBy });
    if (filter.current) qb.andWhere(NOT_SUPERSEDED);
    if (filter.q) qb.andWhere('e.title ILIKE :q', { q: containsPattern(filter.q) });
    const [rows, total] = await qb
      .orderBy('e.collected_at', 'DESC')
      .addOrderBy('e.id', 'DESC')
      .skip(filter.offset)
      .take(filter.limit)
      .getManyAndCount();
    return { rows, total };
  }

  /** A file of an item with its blob's chunking. */
  async file(evidenceId: string, n: number): Promise<{ file: EvidenceFile; blob: Blob } | null> {
    const file = await this.ds.manager.findOne(EvidenceFile, { where: { evidenceId, n } });
    if (!file) return null;
    const blob = await this.ds.manager.findOneOrFail(Blob, { where: { sha256: file.sha256 } });
    return { file, blob };
  }

  /** Newest evidence date per control among items not superseded (dated before `before`, when given), in one query. */
  async newestByControl(controlIds: string[], before?: Date): Promise<Map<string, Date>> {
    const ids = controlIds.filter((id) => UUID.test(id));
    if (ids.length === 0) return new Map();
    const rows: { control_id: string; newest: Date }[] = await this.ds.query(
      `SELECT ec.control_id, max(e.evidence_date) AS newest
         FROM evidence_controls ec JOIN evidence e ON e.id = ec.evidence_id
        WHERE ec.control_id = ANY($1::uuid[]) AND ${NOT_SUPERSEDED} AND ($2::timestamptz IS NULL OR e.evidence_date < $2)
        GROUP BY ec.control_id`,
      [ids, before ?? null],
    );
    return new Map(rows.map((r) => [r.control_id, new Date(r.newest)]));
  }

  /**
   * Items not superseded whose evidence date is in [from, before) and that serve any of the controls, oldest
   * first, each with the ids of those controls it serves and its files (audit packs).
   */
  async inPeriodFor(
    controlIds: string[],
    from: Date,
    before: Date,
  ): Promise<{ item: Evidence; controlIds: string[]; files: EvidenceFile[] }[]> {
    const ids = controlIds.filter((id) => UUID.test(id));
    if (ids.length === 0) return [];
    const links: { evidence_id: string; control_id: string }[] = await this.ds.query(
      `SELECT ec.evidence_id, ec.control_id FROM evidence_controls ec JOIN evidence e ON e.id = ec.evidence_id
        WHERE ec.control_id = ANY($1::uuid[]) AND e.evidence_date >= $2 AND e.evidence_date < $3 AND ${NOT_SUPERSEDED}`,
      [ids, from, before],
    );
    const byItem = new Map<string, string[]>();
    for (const l of links) byItem.set(l.evidence_id, [...(byItem.get(l.evidence_id) ?? []), l.control_id]);
    const itemIds = [...byItem.keys()];
    if (itemIds.length === 0) return [];
    const [items, files] = await Promise.all([
      this.ds.manager
        .createQueryBuilder(Evidence, 'e')
        .where('e.id = ANY(:ids)', { ids: itemIds })
        .orderBy('e.evidence_date', 'ASC')
        .addOrderBy('e.id', 'ASC')
        .getMany(),
      this.ds.manager
        .createQueryBuilder(EvidenceFile, 'f')
        .where('f.evidence_id = ANY(:ids)', { ids: itemIds })
        .orderBy('f.n', 'ASC')
        .getMany(),
    ]);
    const filesOf = new Map<string, EvidenceFile[]>();
    for (const f of files) filesOf.set(f.evidenceId, [...(filesOf.get(f.evidenceId) ?? []), f]);
    return items.map((item) => ({ item, controlIds: byItem.get(item.id)!, files: filesOf.get(item.id) ?? [] }));
  }

  /** Blob rows (store and chunking) by hash, in one query per 5,000. */
  async findBlobs(sha256s: string[]): Promise<Blob[]> {
    const out: Blob[] = [];
    const unique = [...new Set(sha256s)];
    for (let i = 0; i < unique.length; i += 5000) {
      out.push(
        ...(await this.ds.manager
          .createQueryBuilder(Blob, 'b')
          .where('b.sha256 = ANY(:shas)', { shas: unique.slice(i, i + 5000) })
          .getMany()),
      );
    }
    return out;
  }

  /** Of `evidenceIds`, those that exist, are not superseded and serve the control (in the order given). */
  async linkedTo(controlId: string, evidenceIds: string[]): Promise<string[]> {
    const ids = evidenceIds.filter((id) => UUID.test(id));
    if (!UUID.test(controlId) || ids.length === 0) return [];
    const rows: { id: string }[] = await this.ds.query(
      `SELECT e.id FROM evidence e JOIN evidence_controls ec ON ec.evidence_id = e.id AND ec.control_id = $1
        WHERE e.id = ANY($2::uuid[]) AND ${NOT_SUPERSEDED}`,
      [controlId, ids],
    );
    const found = new Set(rows.map((r) => r.id));
    return [...new Set(ids.map((id) => id.toLowerCase()))].filter((id) => found.has(id));
  }
}
