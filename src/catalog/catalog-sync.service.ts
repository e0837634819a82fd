import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import type { JsonObject } from '../audit-trail/domain/audit-entry';
import { CatalogRepository } from './catalog.repository';
import type { Catalog } from './domain/catalog-model';
import {
  changedFields,
  controlContent,
  controlHash,
  frameworkContent,
  frameworkHash,
  requirementContent,
  requirementHash,
} from './domain/content-hash';
import { AUDIT_ACTIONS, type AuditAction } from '../audit-trail/domain/audit-actions';

export interface SyncReport {
  created: string[];
  updated: string[];
  retired: string[];
  unchanged: number;
}

interface Versioned {
  version: number;
  contentHash: string;
  retiredAt: Date | null;
}

/** `catalog.<item>_<verb>` for a synced item (Framework, Requirement, Control); one of AUDIT_ACTIONS. */
function catalogAction(subjectType: string, verb: 'create' | 'update' | 'retire'): AuditAction {
  const action = `catalog.${subjectType.toLowerCase()}_${verb}`;
  if (!(AUDIT_ACTIONS as readonly string[]).includes(action)) throw new Error(`no audit action ${action}`);
  return action as AuditAction;
}

/**
 * Brings the database in line with the validated catalog, in one transaction: new items are added,
 * changed items updated with a version bump, removed items retired (never deleted: evidence points at
 * them). Every change is one audit-trail entry; a sync of an unchanged catalog changes nothing.
 */
@Injectable()
export class CatalogSyncService {
  private readonly log = new Logger('Catalog');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: CatalogRepository,
    private readonly trail: AuditTrailService,
  ) {}

  async sync(catalog: Catalog, actor: string): Promise<SyncReport> {
    const report: SyncReport = { created: [], updated: [], retired: [], unchanged: 0 };
    await this.ds.transaction(async (m) => {
      await this.repo.lockForSync(m);
      const audit = (verb: 'create' | 'update' | 'retire', subjectType: string, subjectId: string, data: JsonObject) =>
        this.trail.append({ actor, action: catalogAction(subjectType, verb), subjectType, subjectId, data }, m);

      /** Decides create / update / unchanged for one item and records it. */
      const apply = async <E extends Versioned & { id: string }>(
        label: string,
        subjectType: string,
        existing: E | undefined,
        hash: string,
        content: Record<string, unknown>,
        before: (e: E) => Record<string, unknown>,
        save: (values: Partial<E>) => Promise<E>,
        silent: Partial<E>,
      ): Promise<{ row: E; changed: boolean }> => {
        if (!existing) {
          const row = await save({ ...silent, contentHash: hash, version: 1, retiredAt: null } as Partial<E>);
          await audit('create', subjectType, row.id, { key: label, version: 1 });
          report.created.push(label);
          return { row, changed: true };
        }
        if (existing.contentHash === hash && existing.retiredAt === null) {
          await save({ ...silent, id: existing.id } as Partial<E>);
          report.unchanged++;
          return { row: existing, changed: false };
        }
        const version = existing.version + 1;
        const fields = existing.retiredAt
          ? ['restored', ...changedFields(before(existing), content)]
          : changedFields(before(existing), content);
        const row = await save({
          ...silent,
          id: existing.id,
          contentHash: hash,
          version,
          retiredAt: null,
        } as Partial<E>);
        await audit('update', subjectType, existing.id, {
          key: label,
          version,
          changed: fields,
        });
        report.updated.push(label);
        return { row, changed: true };
      };

      const retire = async (
        label: string,
        subjectType: string,
        row: Versioned & { id: string },
        save: () => Promise<unknown>,
      ) => {
        if (row.retiredAt) return;
        await save();
        await audit('retire', subjectType, row.id, {
          key: label,
          version: row.version,
        });
        report.retired.push(label);
      };

      // Frameworks and their requirements.
      const frameworks = new Map((await this.repo.allFrameworks(m)).map((f) => [f.key, f]));
      const requirementIds = new Map<string, string>(); // "framework:ref" → id
      for (const f of catalog.frameworks) {
        const existing = frameworks.get(f.key);
        const { row: framework } = await apply(
          f.key,
          'Framework',
          existing,
          frameworkHash(f),
          frameworkContent(f),
          (e) => ({ name: e.name, edition: e.edition, description: e.description }),
          (v) => this.repo.saveFramework(v, m),
          { key: f.key, name: f.name, edition: f.version, description: f.description, sourceFile: f.file },
        );
        frameworks.delete(f.key);
        const requirements = new Map((await this.repo.requirementsOf(framework.id, m)).map((r) => [r.ref, r]));
        for (const r of f.requirements) {
          const { row } = await apply(
            `${f.key}:${r.ref}`,
            'Requirement',
            requirements.get(r.ref),
            requirementHash(r),
            requirementContent(r),
            (e) => ({ group: e.groupName, title: e.title, notApplicable: e.notApplicable }),
            (v) => this.repo.saveRequirement(v, m),
            {
              frameworkId: framework.id,
              ref: r.ref,
              groupName: r.group,
              title: r.title,
              notApplicable: r.notApplicable,
              position: r.position,
            },
          );
          requirements.delete(r.ref);
          requirementIds.set(`${f.key}:${r.ref}`, row.id);
        }
        for (const [ref, gone] of requirements) {
          await retire(`${f.key}:${ref}`, 'Requirement', gone, () =>
            this.repo.saveRequirement({ id: gone.id, retiredAt: new Date() }, m),
          );
        }
      }
      for (const [key, gone] of frameworks) {
        await retire(key, 'Framework', gone, () => this.repo.saveFramework({ id: gone.id, retiredAt: new Date() }, m));
      }

      // Controls and their mappings.
      const controls = new Map((await this.repo.allControls(m)).map((c) => [c.key, c]));
      const oldMaps = await this.repo.controlMaps(m);
      for (const c of catalog.controls) {
        const { row, changed } = await apply(
          c.key,
          'Control',
          controls.get(c.key),
          controlHash(c),
          controlContent(c),
          (e) => ({
            title: e.title,
            description: e.description,
            owner: e.ownerDepartment,
            cadence: e.cadence,
            ...(e.maxIntervalDays !== null ? { maxIntervalDays: e.maxIntervalDays } : {}),
            evidence: e.evidenceGuidance,
            collector: e.collector,
            maps: oldMaps.get(e.id) ?? {},
          }),
          (v) => this.repo.saveControl(v, m),
          {
            key: c.key,
            title: c.title,
            description: c.description,
            ownerDepartment: c.owner,
            cadence: c.cadence,
            maxIntervalDays: c.maxIntervalDays,
            evidenceGuidance: c.evidence,
            collector: c.collector,
            position: c.position,
            sourceFile: c.file,
          },
        );
        controls.delete(c.key);
        if (changed) {
          const ids = Object.entries(c.maps).flatMap(([fw, refs]) =>
            refs.map((ref) => requirementIds.get(`${fw}:${ref}`)!),
          );
          await this.repo.replaceControlLinks(row.id, ids, m);
        }
      }
      for (const [key, gone] of controls) {
        await retire(key, 'Control', gone, () => this.repo.saveControl({ id: gone.id, retiredAt: new Date() }, m));
      }
    });
    if (report.created.length || report.updated.length || report.retired.length) {
      this.log.log(
        `catalog synced: ${report.created.length} added, ${report.updated.length} updated, ${report.retired.length} retired, ${report.unchanged} unchanged`,
      );
    }
    return report;
  }
}
