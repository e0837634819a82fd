import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { acknowledgementBasis } from './domain/acknowledgements';
import { DocumentAcknowledgement } from './document-acknowledgement.entity';
import { DocumentVersion } from './document-version.entity';
import { Document } from './document.entity';

/** A task with its document's key, title and audience. */
export interface AcknowledgementRow extends DocumentAcknowledgement {
  documentKey: string;
  documentTitle: string;
  audience: { everyone: boolean; roles: string[]; departments: string[] };
}

/** A published document with its version in force and the basis of acknowledgement (see acknowledgementBasis). */
export interface AcknowledgedDocument {
  doc: Document;
  inForce: DocumentVersion;
  basis: number;
}

/**
 * Current tasks only: for the newest material version ever published of the document, or a later one. A task
 * for an older version is stale (a newer material change asked again) and is left out of rosters, lists and
 * reminders, but kept as the record it is.
 */
const CURRENT = `a.version_number >= (SELECT max(v.number) FROM document_versions v
  WHERE v.document_id = a.document_id AND v.material AND v.published_at IS NOT NULL)`;

/** A task cancelled when its document was retired: kept as a record, out of lists and rosters. */
const NOT_CANCELLED = `a.status <> 'cancelled'`;

interface RawDocumentColumns {
  document_key: string;
  document_title: string;
  audience_everyone: boolean;
  audience_roles: string[];
  audience_departments: string[];
}

/** The only place with acknowledgement query code. */
@Injectable()
export class DocumentAcknowledgementsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private m(m?: EntityManager): EntityManager {
    return m ?? this.ds.manager;
  }

  private withDocument(m?: EntityManager): SelectQueryBuilder<DocumentAcknowledgement> {
    return this.m(m)
      .createQueryBuilder(DocumentAcknowledgement, 'a')
      .innerJoin(Document, 'd', 'd.id = a.document_id')
      .addSelect([
        'd.key AS document_key',
        'd.title AS document_title',
        'd.audience_everyone AS audience_everyone',
        'd.audience_roles AS audience_roles',
        'd.audience_departments AS audience_departments',
      ]);
  }

  private static rows(res: { entities: DocumentAcknowledgement[]; raw: RawDocumentColumns[] }): AcknowledgementRow[] {
    return res.entities.map((e, i) => {
      const r = res.raw[i]!;
      return Object.assign(e, {
        documentKey: r.document_key,
        documentTitle: r.document_title,
        audience: { everyone: r.audience_everyone, roles: r.audience_roles, departments: r.audience_departments },
      });
    });
  }

  /** Inserts the tasks nobody has yet (one per version and person); how many were created. */
  async insertMissing(rows: Partial<DocumentAcknowledgement>[], m: EntityManager): Promise<number> {
    if (rows.length === 0) return 0;
    const res = await m
      .createQueryBuilder()
      .insert()
      .into(DocumentAcknowledgement)
      .values(rows)
      .orIgnore()
      .returning('id')
      .execute();
    return (res.raw as unknown[]).length;
  }

  /** The current tasks of a document, by person. */
  async currentOfDocument(documentId: string): Promise<AcknowledgementRow[]> {
    return DocumentAcknowledgementsRepository.rows(
      await this.withDocument()
        .where('a.document_id = :documentId', { documentId })
        .andWhere(CURRENT)
        .andWhere(NOT_CANCELLED)
        .orderBy('a.version_number', 'DESC')
        .getRawAndEntities(),
    );
  }

  /** A person's current tasks, soonest due first, paged. */
  async currentOfUser(
    userId: string,
    page: { limit: number; offset: number },
  ): Promise<{ rows: AcknowledgementRow[]; total: number }> {
    const qb = this.withDocument().where('a.user_id = :userId', { userId }).andWhere(CURRENT).andWhere(NOT_CANCELLED);
    const total = await qb.getCount();
    const rows = DocumentAcknowledgementsRepository.rows(
      await qb
        .orderBy('a.acknowledged_at IS NOT NULL', 'ASC')
        .addOrderBy('a.due_at', 'ASC')
        .addOrderBy('d.key', 'ASC')
        .offset(page.offset)
        .limit(page.limit)
        .getRawAndEntities(),
    );
    return { rows, total };
  }

  /** Pending current tasks (for reminders and escalations). */
  async pendingCurrent(): Promise<AcknowledgementRow[]> {
    return DocumentAcknowledgementsRepository.rows(
      await this.withDocument()
        .where(`a.status = 'pending'`)
        .andWhere(CURRENT)
        .orderBy('a.due_at', 'ASC')
        .getRawAndEntities(),
    );
  }

  async findWithDocument(id: string): Promise<AcknowledgementRow | null> {
    const [row] = DocumentAcknowledgementsRepository.rows(
      await this.withDocument().where('a.id = :id', { id }).getRawAndEntities(),
    );
    return row ?? null;
  }

  /** Locks a task for acknowledging it. */
  lockById(id: string, m: EntityManager): Promise<DocumentAcknowledgement | null> {
    return m
      .createQueryBuilder(DocumentAcknowledgement, 'a')
      .setLock('pessimistic_write')
      .where('a.id = :id', { id })
      .getOne();
  }

  async markAcknowledged(id: string, at: Date, m: EntityManager): Promise<void> {
    await m.update(DocumentAcknowledgement, { id }, { status: 'acknowledged', acknowledgedAt: at });
  }

  /** Cancels the document's pending tasks (it was retired); how many. */
  async cancelPending(documentId: string, at: Date, m: EntityManager): Promise<number> {
    const res = await m
      .createQueryBuilder()
      .update(DocumentAcknowledgement)
      .set({ status: 'cancelled', cancelledAt: at })
      .where(`document_id = :documentId AND status = 'pending'`, { documentId })
      .execute();
    return res.affected ?? 0;
  }

  /** Every published document that asks for acknowledgement (a material version was published), with its version in force. */
  async acknowledgedDocuments(): Promise<AcknowledgedDocument[]> {
    const docs = await this.ds.manager
      .createQueryBuilder(Document, 'd')
      .where('d.published_version IS NOT NULL')
      .orderBy('d.key')
      .getMany();
    const out: AcknowledgedDocument[] = [];
    for (const doc of docs) {
      const versions = await this.ds.manager.find(DocumentVersion, { where: { documentId: doc.id } });
      const inForce = versions.find((v) => v.number === doc.publishedVersion && v.status === 'published');
      const basis = acknowledgementBasis(versions);
      if (inForce && basis !== null) out.push({ doc, inForce, basis });
    }
    return out;
  }

  /** The users holding a current task of a document (any status). */
  async currentHolders(documentId: string, basis: number, m?: EntityManager): Promise<Set<string>> {
    const rows = await this.m(m)
      .createQueryBuilder(DocumentAcknowledgement, 'a')
      .select('a.user_id', 'user_id')
      .where('a.document_id = :documentId AND a.version_number >= :basis', { documentId, basis })
      .getRawMany<{ user_id: string }>();
    return new Set(rows.map((r) => r.user_id));
  }

  /** Every task of a document, stale ones included (the records a period's counts are taken from). */
  allOfDocument(documentId: string): Promise<DocumentAcknowledgement[]> {
    return this.ds.manager.find(DocumentAcknowledgement, { where: { documentId }, order: { createdAt: 'ASC' } });
  }
}
