import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { containsPattern } from '../common/db/like';
import type { AppAbility } from '../authz/ability.factory';
import { accessibleBy, UnsupportedCaslConditionError, type VirtualFields } from '../authz/casl-sql';
import { isUniqueViolation } from '../common/db/unique-violation';
import { ConflictError } from '../common/errors/app-error';
import type { DocumentType } from './domain/document-model';
import { DocumentSignature } from './document-signature.entity';
import { DocumentVersion } from './document-version.entity';
import { Document, DocumentControl } from './document.entity';

export interface DocumentListFilter {
  type?: DocumentType;
  department?: string;
  q?: string;
}

/** An array column in a Document rule: `{ audienceRoles: 'viewer' }` holds when the array contains it. */
const contains =
  (column: string) =>
  (operator: string, value: unknown, param: (value: unknown) => string): string => {
    if (operator !== 'eq') throw new UnsupportedCaslConditionError(`CASL operator ${operator} on ${column}`);
    return `${param(value)} = ANY(d.${column})`;
  };

const DOCUMENT_VIRTUAL_FIELDS: VirtualFields = {
  audienceRoles: contains('audience_roles'),
  audienceDepartments: contains('audience_departments'),
};

/** The only place with document query code. Lists are filtered in SQL by the caller's ability. */
@Injectable()
export class DocumentsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private m(m?: EntityManager): EntityManager {
    return m ?? this.ds.manager;
  }

  findByKey(key: string, m?: EntityManager): Promise<Document | null> {
    return this.m(m).findOne(Document, { where: { key } });
  }

  findById(id: string, m?: EntityManager): Promise<Document | null> {
    return this.m(m).findOne(Document, { where: { id } });
  }

  /** Takes the document's row lock: every change of a document or its versions goes through it. */
  lockByKey(key: string, m: EntityManager): Promise<Document | null> {
    return m.createQueryBuilder(Document, 'd').setLock('pessimistic_write').where('d.key = :key', { key }).getOne();
  }

  /** One import of policy files at a time across instances (two servers seeding the demo at once). */
  async lockImports(m: EntityManager): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('attest:documents:import'))`);
  }

  /** Documents the ability may read, filtered and paged in SQL, by key. */
  async listVisible(
    ability: AppAbility,
    filter: DocumentListFilter,
    page: { limit: number; offset: number },
  ): Promise<{ rows: Document[]; total: number }> {
    const qb = accessibleBy(
      this.ds.manager.createQueryBuilder(Document, 'd'),
      ability,
      'read',
      'Document',
      DOCUMENT_VIRTUAL_FIELDS,
    );
    if (filter.type) qb.andWhere('d.type = :type', { type: filter.type });
    if (filter.department) qb.andWhere('d.owner_department = :department', { department: filter.department });
    if (filter.q) qb.andWhere('(d.key ILIKE :q OR d.title ILIKE :q)', { q: containsPattern(filter.q) });
    const [rows, total] = await qb.orderBy('d.key', 'ASC').skip(page.offset).take(page.limit).getManyAndCount();
    return { rows, total };
  }

  /** Documents with a version in force, by key. */
  publishedDocuments(): Promise<Document[]> {
    return this.ds.manager
      .createQueryBuilder(Document, 'd')
      .where('d.published_version IS NOT NULL')
      .orderBy('d.key')
      .getMany();
  }

  /** Documents first published before an instant, by key. */
  documentsPublishedBefore(at: Date): Promise<Document[]> {
    return this.ds.manager
      .createQueryBuilder(Document, 'd')
      .where('d.first_published_at < :at', { at })
      .orderBy('d.key')
      .getMany();
  }

  async controlsOf(documentIds: string[], m?: EntityManager): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (documentIds.length === 0) return out;
    const rows = await this.m(m).find(DocumentControl, {
      where: { documentId: In(documentIds) },
      order: { controlKey: 'ASC' },
    });
    for (const r of rows) out.set(r.documentId, [...(out.get(r.documentId) ?? []), r.controlKey]);
    return out;
  }

  async replaceControls(documentId: string, keys: string[], m: EntityManager): Promise<void> {
    await m.delete(DocumentControl, { documentId });
    if (keys.length)
      await m.insert(
        DocumentControl,
        keys.map((controlKey) => ({ documentId, controlKey })),
      );
  }

  async insert(values: Partial<Document>, m: EntityManager): Promise<Document> {
    try {
      return await m.save(Document, m.create(Document, values));
    } catch (e) {
      if (isUniqueViolation(e, 'UQ_documents_key'))
        throw new ConflictError('document.key_taken', `${values.key} is already a document's key.`);
      throw e;
    }
  }

  async update(id: string, values: QueryDeepPartialEntity<Document>, m: EntityManager): Promise<void> {
    await m.update(Document, { id }, values);
  }

  /** A document's versions, newest first. */
  versionsOf(documentId: string, m?: EntityManager): Promise<DocumentVersion[]> {
    return this.m(m).find(DocumentVersion, { where: { documentId }, order: { number: 'DESC' } });
  }

  findVersion(documentId: string, number: number, m?: EntityManager): Promise<DocumentVersion | null> {
    return this.m(m).findOne(DocumentVersion, { where: { documentId, number } });
  }

  async insertVersion(values: Partial<DocumentVersion>, m: EntityManager): Promise<DocumentVersion> {
    return m.save(DocumentVersion, m.create(DocumentVersion, values));
  }

  async updateVersion(id: string, values: QueryDeepPartialEntity<DocumentVersion>, m: EntityManager): Promise<void> {
    await m.update(DocumentVersion, { id }, values);
  }

  /** Signatures and rejections of versions, oldest first. */
  async signaturesOf(versionIds: string[], m?: EntityManager): Promise<Map<string, DocumentSignature[]>> {
    const out = new Map<string, DocumentSignature[]>();
    if (versionIds.length === 0) return out;
    const rows = await this.m(m).find(DocumentSignature, {
      where: { versionId: In(versionIds) },
      order: { signedAt: 'ASC', id: 'ASC' },
    });
    for (const r of rows) out.set(r.versionId, [...(out.get(r.versionId) ?? []), r]);
    return out;
  }

  async insertSignature(
    values: Omit<DocumentSignature, 'id' | 'version'>,
    m: EntityManager,
  ): Promise<DocumentSignature> {
    return m.save(DocumentSignature, m.create(DocumentSignature, values));
  }
}
