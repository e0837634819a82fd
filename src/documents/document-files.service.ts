import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../authz/actor';
import { CatalogService } from '../catalog/catalog.service';
import type { CatalogProblem } from '../catalog/domain/catalog-model';
import { DepartmentsService } from '../identity/departments.service';
import { UsersService } from '../identity/users.service';
import { contentSha256, isOpen } from './domain/document-model';
import { DocumentRecords } from './document-records';
import { DocumentTypesService } from './document-types.service';
import { Document } from './document.entity';
import { DocumentsRepository } from './documents.repository';
import { readPolicyDir, renderPolicyFile, type PolicyFile } from './policy-files';

export interface ImportReport {
  problems: CatalogProblem[];
  created: string[];
  updated: string[];
  /** Documents given a new draft version (or whose open draft took the file's content). */
  drafted: string[];
  unchanged: string[];
}

/**
 * Policies as code: `attest documents import DIR` reads `DIR/*.md` (front matter + Markdown) and brings the
 * documents in line, all or nothing — a new document is created, a changed one updated, and content that
 * differs from the newest version becomes a draft (never published: publication needs the signatures of
 * people). `export DIR` writes each document's version in force (else its newest) the same way.
 */
@Injectable()
export class DocumentFilesService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: DocumentsRepository,
    private readonly records: DocumentRecords,
    private readonly types: DocumentTypesService,
    private readonly catalog: CatalogService,
    private readonly users: UsersService,
    private readonly departments: DepartmentsService,
  ) {}

  async importDir(actor: Actor, dir: string): Promise<ImportReport> {
    const report: ImportReport = { problems: [], created: [], updated: [], drafted: [], unchanged: [] };
    const { files, problems } = readPolicyDir(dir);
    report.problems.push(...problems);
    if (problems.length) return report;
    const owners = await this.check(files, report.problems);
    if (report.problems.length) return report;
    await this.ds
      .transaction(async (m) => {
        await this.repo.lockImports(m);
        for (const f of files) {
          let doc = await this.repo.lockByKey(f.key, m);
          const fields = {
            title: f.title,
            type: f.type,
            ownerDepartment: f.ownerDepartment,
            audienceEveryone: f.audience.everyone,
            audienceRoles: f.audience.roles,
            audienceDepartments: f.audience.departments,
            reviewCadenceMonths: f.reviewCadenceMonths ?? this.types.of(f.type).reviewCadenceMonths,
          };
          if (!doc) {
            doc = await this.repo.insert({ key: f.key, ownerUserId: owners.get(f.ownerDepartment)!, ...fields }, m);
            await this.repo.replaceControls(doc.id, f.controls, m);
            await this.records.audit(m, actor, 'document.create', doc, { source: f.file, controls: f.controls });
            report.created.push(f.key);
          } else {
            const controls = (await this.repo.controlsOf([doc.id], m)).get(doc.id) ?? [];
            const changed = Object.entries(fields).filter(
              ([k, v]) => JSON.stringify(doc![k as keyof Document]) !== JSON.stringify(v),
            );
            const controlsChanged = JSON.stringify(controls) !== JSON.stringify(f.controls);
            if (changed.length || controlsChanged) {
              if (changed.length) await this.repo.update(doc.id, Object.fromEntries(changed), m);
              if (controlsChanged) await this.repo.replaceControls(doc.id, f.controls, m);
              await this.records.audit(m, actor, 'document.update', doc, {
                source: f.file,
                fields: [...changed.map(([k]) => k), ...(controlsChanged ? ['controls'] : [])],
              });
              report.updated.push(f.key);
            }
          }
          const drafted = await this.draft(actor, doc, f, m, report);
          if (drafted) report.drafted.push(f.key);
          else if (!report.created.includes(f.key) && !report.updated.includes(f.key)) report.unchanged.push(f.key);
        }
        if (report.problems.length) throw new ImportRefused(report);
      })
      .catch((e: unknown) => {
        if (!(e instanceof ImportRefused)) throw e;
        report.created = [];
        report.updated = [];
        report.drafted = [];
        report.unchanged = [];
      });
    return report;
  }

  /** Writes every document's version in force (else its newest) to `DIR/<key>.md`; answers the keys written. */
  async exportDir(dir: string): Promise<string[]> {
    mkdirSync(dir, { recursive: true });
    const docs = await this.ds.manager.find(Document, { order: { key: 'ASC' } });
    const controls = await this.repo.controlsOf(docs.map((d) => d.id));
    const written: string[] = [];
    for (const doc of docs) {
      const versions = await this.repo.versionsOf(doc.id);
      const v = versions.find((x) => x.number === doc.publishedVersion) ?? versions[0];
      if (!v) continue;
      const text = renderPolicyFile({
        key: doc.key,
        title: doc.title,
        type: doc.type,
        ownerDepartment: doc.ownerDepartment,
        audience: { everyone: doc.audienceEveryone, roles: doc.audienceRoles, departments: doc.audienceDepartments },
        reviewCadenceMonths: doc.reviewCadenceMonths,
        controls: controls.get(doc.id) ?? [],
        changeSummary: v.changeSummary,
        material: v.material,
        content: v.content,
      });
      writeFileSync(join(dir, `${doc.key}.md`), text);
      written.push(doc.key);
    }
    return written;
  }

  /**
   * The file's content as a draft: nothing when the newest version already holds it; the open draft takes
   * it; a version in review or approved cannot (a problem); else a new draft version.
   */
  private async draft(
    actor: Actor,
    doc: Document,
    f: PolicyFile,
    m: EntityManager,
    report: ImportReport,
  ): Promise<boolean> {
    const sha256 = contentSha256(f.content);
    const versions = await this.repo.versionsOf(doc.id, m);
    const newest = versions[0];
    if (newest?.sha256 === sha256) return false;
    const open = versions.find((v) => isOpen(v.status));
    if (open && open.status !== 'draft') {
      report.problems.push({
        file: f.file,
        line: 1,
        message: `${doc.key} v${open.number} is ${open.status}: its content cannot change until it is published or rejected`,
      });
      return false;
    }
    if (open) {
      await this.repo.updateVersion(
        open.id,
        { content: f.content, sha256, changeSummary: f.changeSummary, material: f.material },
        m,
      );
      await this.records.audit(m, actor, 'document.version_update', doc, {
        version: open.number,
        sha256,
        source: f.file,
      });
      return true;
    }
    const v = await this.repo.insertVersion(
      {
        documentId: doc.id,
        number: (newest?.number ?? 0) + 1,
        content: f.content,
        sha256,
        changeSummary: f.changeSummary,
        material: f.material,
        status: 'draft',
        createdBy: doc.ownerUserId,
      },
      m,
    );
    await this.records.audit(m, actor, 'document.version_create', doc, { version: v.number, sha256, source: f.file });
    return true;
  }

  /** Departments exist, controls are in the catalog; each new document's owner: an active person of its department. */
  private async check(files: PolicyFile[], problems: CatalogProblem[]): Promise<Map<string, string>> {
    const departments = new Set((await this.departments.list()).map((d) => d.key));
    const known = new Set(
      (await this.catalog.controlsByKeys([...new Set(files.flatMap((f) => f.controls))])).map((c) => c.key),
    );
    const owners = new Map<string, string>();
    for (const f of files) {
      if (!departments.has(f.ownerDepartment))
        problems.push({ file: f.file, line: f.lineOf('owner'), message: `"${f.ownerDepartment}" is not a department` });
      for (const d of f.audience.departments)
        if (!departments.has(d))
          problems.push({ file: f.file, line: f.lineOf('audience'), message: `"${d}" is not a department` });
      for (const c of f.controls)
        if (!known.has(c))
          problems.push({ file: f.file, line: f.lineOf('controls'), message: `${c} is not a control in the catalog` });
      if (departments.has(f.ownerDepartment) && !owners.has(f.ownerDepartment)) {
        const [owner] = [
          ...(await this.users.activeUserIds({ departmentKey: f.ownerDepartment })),
          ...(await this.users.activeUserIds({ role: 'compliance_manager' })),
        ];
        if (owner) owners.set(f.ownerDepartment, owner);
        else if (!(await this.repo.findByKey(f.key)))
          problems.push({
            file: f.file,
            line: f.lineOf('owner'),
            message: `nobody active in ${f.ownerDepartment} (or compliance) to own it`,
          });
      }
    }
    return owners;
  }
}

/** Rolls the import back when a file's content cannot be taken (a version in review): all or nothing. */
class ImportRefused extends Error {
  constructor(readonly report: ImportReport) {
    super('import refused');
  }
}
