import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { abilityFor } from '../authz/ability.factory';
import type { UserActor } from '../authz/actor';
import { asSubject } from '../authz/subject';
import { CatalogService } from '../catalog/catalog.service';
import { FieldProblem, ForbiddenError, ValidationError } from '../common/errors/app-error';
import { Page, pageOf } from '../common/http/pagination';
import { DepartmentsService } from '../identity/departments.service';
import { UsersService } from '../identity/users.service';
import { AudienceDto, CreateDocumentDto, DocumentQueryDto, DocumentView, UpdateDocumentDto } from './dto/document.dto';
import { DocumentRecords } from './document-records';
import { DocumentTypesService } from './document-types.service';
import { Document } from './document.entity';
import { DocumentsRepository } from './documents.repository';

/**
 * Controlled documents themselves: list, read, create, change (owner, audience, cadence, controls). Their
 * versions and approvals have services of their own. Every change is an audit-trail entry in the same
 * transaction.
 */
@Injectable()
export class DocumentsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: DocumentsRepository,
    private readonly records: DocumentRecords,
    private readonly types: DocumentTypesService,
    private readonly catalog: CatalogService,
    private readonly users: UsersService,
    private readonly departments: DepartmentsService,
  ) {}

  async list(actor: UserActor, query: DocumentQueryDto): Promise<Page<DocumentView>> {
    const page = pageOf(query);
    const { rows, total } = await this.repo.listVisible(
      abilityFor(actor),
      { type: query.type, department: query.department, q: query.q },
      page,
    );
    return { items: await this.records.documentViews(rows), total, ...page };
  }

  /** The document with the versions the caller may read (newest first), else 404. */
  async get(actor: UserActor, key: string): Promise<DocumentView> {
    const ability = abilityFor(actor);
    const doc = await this.records.readable(ability, key);
    return this.records.documentView(doc, await this.records.readableVersions(ability, doc));
  }

  async create(actor: UserActor, dto: CreateDocumentDto): Promise<DocumentView> {
    const ability = abilityFor(actor);
    if (!ability.can('create', asSubject('Document', { ownerDepartment: dto.ownerDepartment })))
      throw new ForbiddenError('You may create documents of your own department only.', 'document.not_yours');
    const ownerUserId = dto.ownerUserId ?? actor.id;
    const issues = await this.check({ ...dto, ownerUserId });
    if (issues.length) throw new ValidationError(issues);
    const controls = [...new Set(dto.controls ?? [])].sort();
    await this.ds.transaction(async (m) => {
      const doc = await this.repo.insert(
        {
          key: dto.key,
          title: dto.title,
          type: dto.type,
          ownerDepartment: dto.ownerDepartment,
          ownerUserId,
          ...audienceColumns(dto.audience),
          reviewCadenceMonths: dto.reviewCadenceMonths ?? this.types.of(dto.type).reviewCadenceMonths,
        },
        m,
      );
      await this.repo.replaceControls(doc.id, controls, m);
      await this.records.audit(m, actor, 'document.create', doc, {
        type: doc.type,
        ownerDepartment: doc.ownerDepartment,
        controls,
      });
    });
    return this.get(actor, dto.key);
  }

  async update(actor: UserActor, key: string, dto: UpdateDocumentDto): Promise<DocumentView> {
    const ability = abilityFor(actor);
    await this.records.readable(ability, key);
    const issues = await this.check(dto);
    if (issues.length) throw new ValidationError(issues);
    await this.ds.transaction(async (m) => {
      const doc = await this.records.lock(ability, key, m, { action: 'update' });
      const changed: Partial<Document> = {
        ...(dto.title !== undefined ? { title: dto.title } : {}),
        ...(dto.ownerDepartment !== undefined ? { ownerDepartment: dto.ownerDepartment } : {}),
        ...(dto.ownerUserId !== undefined ? { ownerUserId: dto.ownerUserId } : {}),
        ...(dto.audience !== undefined ? audienceColumns(dto.audience) : {}),
        ...(dto.reviewCadenceMonths !== undefined ? { reviewCadenceMonths: dto.reviewCadenceMonths } : {}),
      };
      // Handing a document to another department is theirs to accept: the result must be the actor's too.
      if (!ability.can('update', asSubject('Document', { ...doc, ...changed })))
        throw new ForbiddenError('You may not hand this document to another department.', 'document.not_yours');
      if (Object.keys(changed).length) await this.repo.update(doc.id, changed, m);
      const controls = dto.controls === undefined ? undefined : [...new Set(dto.controls)].sort();
      if (controls) await this.repo.replaceControls(doc.id, controls, m);
      await this.records.audit(m, actor, 'document.update', doc, {
        fields: [...Object.keys(changed), ...(controls ? ['controls'] : [])],
      });
    });
    return this.get(actor, key);
  }

  /** The owner is an active user, the department exists, every control key is in the catalog. */
  private async check(dto: {
    ownerUserId?: string;
    ownerDepartment?: string;
    controls?: string[];
    audience?: AudienceDto;
  }): Promise<FieldProblem[]> {
    const issues: FieldProblem[] = [];
    if (dto.ownerUserId !== undefined && !(await this.users.findActive(dto.ownerUserId)))
      issues.push({ field: 'ownerUserId', message: 'is not an active user' });
    const departments = new Set((await this.departments.list()).map((d) => d.key));
    if (dto.ownerDepartment !== undefined && !departments.has(dto.ownerDepartment))
      issues.push({ field: 'ownerDepartment', message: `"${dto.ownerDepartment}" is not a department` });
    for (const d of dto.audience?.departments ?? [])
      if (!departments.has(d)) issues.push({ field: 'audience.departments', message: `"${d}" is not a department` });
    if (dto.controls?.length) {
      const known = new Set((await this.catalog.controlsByKeys(dto.controls)).map((c) => c.key));
      for (const k of dto.controls)
        if (!known.has(k)) issues.push({ field: 'controls', message: `${k} is not a control in the catalog` });
    }
    return issues;
  }
}

function audienceColumns(a: AudienceDto): Pick<Document, 'audienceEveryone' | 'audienceRoles' | 'audienceDepartments'> {
  return {
    audienceEveryone: a.everyone,
    audienceRoles: [...new Set(a.roles ?? [])].sort(),
    audienceDepartments: [...new Set(a.departments ?? [])].sort(),
  };
}
