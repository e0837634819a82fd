import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import {
  CatalogSyncRepository,
  type StoredControl,
  type StoredFramework,
  type StoredRequirement,
  SyncedControl,
  SyncedFramework,
  SyncedRequirement,
} from './catalog-sync.repository';
import { type PlannedRow, type SyncKind, SyncPlan, type SyncReport } from './catalog-sync-plan';
import type { Catalog, CatalogControl } from './domain/catalog-model';
import {
  contentHash,
  controlContent,
  frameworkContent,
  frameworkHash,
  requirementContent,
  requirementHash,
} from './domain/content-hash';

export type { SyncReport } from './catalog-sync-plan';

/** The rows to write, by kind; requirements remember their framework's key (its id may be new). */
interface Writes {
  frameworks: PlannedRow[];
  requirements: (PlannedRow & { framework: string })[];
  retiredFrameworks: string[];
  retiredRequirements: string[];
}

/** Ids by label (key, or `framework:ref`) of every row the sync knows, stored before or created by it. */
type Ids = Record<SyncKind, Map<string, string>>;

/**
 * Brings the database in line with the validated catalog, in one transaction: new items are added,
 * changed items updated with a version bump, removed items retired (never deleted: evidence points at
 * them). Every change is one audit-trail entry; a sync of an unchanged catalog changes nothing.
 *
 * Set-based: the stored rows are read once, every decision is made in memory (SyncPlan), then each table
 * gets one upsert and one retire statement, the control links two statements, the audit entries one.
 */
@Injectable()
export class CatalogSyncService {
  private readonly log = new Logger('Catalog');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: CatalogSyncRepository,
    private readonly trail: AuditTrailService,
  ) {}

  /** `fingerprint` (catalogFingerprint() of the files `catalog` was loaded from) is stored with the sync. */
  async sync(catalog: Catalog, actor: string, fingerprint: string): Promise<SyncReport> {
    const plan = new SyncPlan();
    await this.ds.transaction(async (m) => {
      await this.repo.lockForSync(m);
      const ids: Ids = { Framework: new Map(), Requirement: new Map(), Control: new Map() };
      await this.syncFrameworks(catalog, plan, ids, m);
      await this.syncControls(catalog, plan, ids, m);
      if (plan.changed)
        await this.trail.appendMany(
          plan.auditEntries(actor, (k, label) => ids[k].get(label)!),
          m,
        );
      await this.repo.storeFingerprint(fingerprint, m);
    });
    const { report } = plan;
    if (report.created.length || report.updated.length || report.retired.length) {
      this.log.log(
        `catalog synced: ${report.created.length} added, ${report.updated.length} updated, ${report.retired.length} retired, ${report.unchanged} unchanged`,
      );
    }
    return report;
  }

  /** What the last completed sync was made from (see CatalogSyncState), or null before the first. */
  storedFingerprint(): Promise<string | null> {
    return this.repo.storedFingerprint(this.ds.manager);
  }

  /** Frameworks and their requirements: planned, then written (frameworks first: requirements need their ids). */
  private async syncFrameworks(catalog: Catalog, plan: SyncPlan, ids: Ids, m: EntityManager): Promise<void> {
    const frameworks = new Map((await this.repo.allFrameworks(m)).map((f) => [f.key, f]));
    const keyOf = new Map([...frameworks.values()].map((f) => [f.id, f.key]));
    const requirements = new Map<string, Map<string, StoredRequirement>>(); // framework key → ref → row
    for (const r of await this.repo.allRequirements(m)) {
      const key = keyOf.get(r.frameworkId)!;
      if (!requirements.has(key)) requirements.set(key, new Map());
      requirements.get(key)!.set(r.ref, r);
    }
    for (const f of frameworks.values()) ids.Framework.set(f.key, f.id);
    const writes = this.planFrameworks(catalog, plan, frameworks, requirements);

    const fwIds = await this.repo.upsertFrameworks(writes.frameworks.map(frameworkRow), m);
    for (const [key, id] of fwIds) ids.Framework.set(key, id);
    await this.repo.retire('frameworks', writes.retiredFrameworks, m);
    const rows = writes.requirements.map((w) => requirementRow(w, ids.Framework.get(w.framework)!));
    const reqIds = await this.repo.upsertRequirements(rows, m);
    await this.repo.retire('requirements', writes.retiredRequirements, m);
    // Every live requirement's id by `framework:ref`, for the control links.
    for (const [key, refs] of requirements) for (const r of refs.values()) ids.Requirement.set(`${key}:${r.ref}`, r.id);
    for (const w of writes.requirements) {
      const id = reqIds.get(`${ids.Framework.get(w.framework)!}:${w.values.ref as string}`);
      if (id) ids.Requirement.set(w.label, id);
    }
  }

  /** Decides every framework and requirement change, in catalog order; `frameworks` keeps the ones that left. */
  private planFrameworks(
    catalog: Catalog,
    plan: SyncPlan,
    frameworks: Map<string, StoredFramework>,
    requirements: Map<string, Map<string, StoredRequirement>>,
  ): Writes {
    const writes: Writes = { frameworks: [], requirements: [], retiredFrameworks: [], retiredRequirements: [] };
    const push = <T>(list: T[], item: T | null) => item !== null && list.push(item);
    for (const f of catalog.frameworks) {
      push(
        writes.frameworks,
        plan.decide<StoredFramework>('Framework', {
          label: f.key,
          existing: frameworks.get(f.key),
          hash: frameworkHash(f),
          content: frameworkContent(f),
          before: (e) => ({ name: e.name, edition: e.edition, description: e.description }),
          values: { key: f.key, name: f.name, edition: f.version, description: f.description, sourceFile: f.file },
        }),
      );
      frameworks.delete(f.key);
      const stored = requirements.get(f.key) ?? new Map<string, StoredRequirement>();
      for (const r of f.requirements) {
        const row = plan.decide<StoredRequirement>('Requirement', {
          label: `${f.key}:${r.ref}`,
          existing: stored.get(r.ref),
          hash: requirementHash(r),
          content: requirementContent(r),
          before: (e) => ({ group: e.groupName, title: e.title, notApplicable: e.notApplicable }),
          values: {
            ref: r.ref,
            groupName: r.group,
            title: r.title,
            notApplicable: r.notApplicable,
            position: r.position,
          },
        });
        push(writes.requirements, row && { ...row, framework: f.key });
      }
      const live = new Set(f.requirements.map((r) => r.ref));
      for (const [ref, gone] of stored)
        if (!live.has(ref)) push(writes.retiredRequirements, plan.retire('Requirement', `${f.key}:${ref}`, gone));
    }
    for (const [key, gone] of frameworks) push(writes.retiredFrameworks, plan.retire('Framework', key, gone));
    return writes;
  }

  /** Controls: planned in catalog order, then one upsert, one retire, and the links of the changed ones. */
  private async syncControls(catalog: Catalog, plan: SyncPlan, ids: Ids, m: EntityManager): Promise<void> {
    const controls = new Map((await this.repo.allControls(m)).map((c) => [c.key, c]));
    for (const c of controls.values()) ids.Control.set(c.key, c.id);
    const contents = catalog.controls.map(controlContent);
    const hashes = contents.map(contentHash);
    // The stored mappings of the changed controls only (their audit entries name the changed fields).
    const changedIds = catalog.controls.flatMap((c, i) => {
      const stored = controls.get(c.key);
      return stored && (stored.contentHash !== hashes[i] || stored.retiredAt) ? [stored.id] : [];
    });
    const oldMaps = await this.repo.controlMaps(changedIds, m);
    const writes = catalog.controls
      .map((c, i) => this.planControl(plan, c, { hash: hashes[i], content: contents[i] }, controls.get(c.key), oldMaps))
      .filter((w): w is PlannedRow => w !== null);
    for (const c of catalog.controls) controls.delete(c.key);
    const retired = [...controls].map(([key, gone]) => plan.retire('Control', key, gone));
    for (const [key, id] of await this.repo.upsertControls(writes.map(controlRow), m)) ids.Control.set(key, id);
    await this.repo.retire(
      'controls',
      retired.filter((id): id is string => id !== null),
      m,
    );
    await this.relink(catalog, writes, ids, m);
  }

  /** Decides one control's change (see SyncPlan.decide); `oldMaps` holds the stored mappings of the changed ones. */
  private planControl(
    plan: SyncPlan,
    c: CatalogControl,
    { hash, content }: { hash: string; content: Record<string, unknown> },
    existing: StoredControl | undefined,
    oldMaps: Map<string, Record<string, string[]>>,
  ): PlannedRow | null {
    return plan.decide<StoredControl>('Control', {
      label: c.key,
      existing,
      hash,
      content,
      before: (e) => ({
        title: e.title,
        description: e.description,
        owner: e.ownerDepartment,
        cadence: e.cadence,
        ...(e.maxIntervalDays !== null ? { maxIntervalDays: e.maxIntervalDays } : {}),
        evidence: e.evidenceGuidance,
        collector: e.collector,
        maps: oldMaps.get(e.id) ?? {},
      }),
      values: {
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
    });
  }

  /** Replaces the requirement links of the created and changed controls. */
  private async relink(catalog: Catalog, writes: PlannedRow[], ids: Ids, m: EntityManager): Promise<void> {
    const changed = new Set(writes.filter((w) => w.changed).map((w) => w.label));
    const links = catalog.controls
      .filter((c) => changed.has(c.key))
      .flatMap((c) =>
        Object.entries(c.maps).flatMap(([fw, refs]) =>
          refs.map((ref) => ({
            controlId: ids.Control.get(c.key)!,
            requirementId: ids.Requirement.get(`${fw}:${ref}`)!,
          })),
        ),
      );
    await this.repo.replaceControlLinks(
      [...changed].map((key) => ids.Control.get(key)!),
      links,
      m,
    );
  }
}

const planned = (w: PlannedRow) => ({ ...w.values, version: w.version, contentHash: w.contentHash });
const frameworkRow = (w: PlannedRow) => planned(w) as SyncedFramework;
const controlRow = (w: PlannedRow) => planned(w) as SyncedControl;
const requirementRow = (w: PlannedRow, frameworkId: string) => ({ ...planned(w), frameworkId }) as SyncedRequirement;
