import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { abilityFor } from '../authz/ability.factory';
import { readableOr404 } from '../authz/row-access';
import { asSubject } from '../authz/subject';
import { mayOwnControls } from '../authz/control-ownership';
import { ForbiddenError, NotFoundError, RuleViolationError, ValidationError } from '../common/errors/app-error';
import { Page, pageOf } from '../common/http/pagination';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { actorRef, type UserActor } from '../authz/actor';
import { UsersService } from '../identity/users.service';
import { loadCatalog } from './catalog-loader';
import { CatalogRepository } from './catalog.repository';
import type { LiveControl } from './domain/control-refs';
import { CatalogInvalidError } from './catalog.errors';
import { CatalogSyncService, SyncReport } from './catalog-sync.service';
import type { Control } from './control.entity';
import type { ControlRef } from './domain/control-refs';
import type { Coverage } from './domain/catalog-model';
import { catalogCsv, ExportInput, oscalCatalog, oscalComponentDefinition } from './domain/catalog-export';
import { APP_VERSION } from '../config/app-root';
import {
  AssignOwnerDto,
  ControlQueryDto,
  ControlView,
  FrameworkView,
  RequirementQueryDto,
  RequirementView,
} from './dto/catalog.dto';
import type { Framework } from './framework.entity';

export const EXPORT_FORMATS = ['oscal-catalog', 'oscal-component', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

@Injectable()
export class CatalogService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: CatalogRepository,
    private readonly syncer: CatalogSyncService,
    private readonly users: UsersService,
    private readonly trail: AuditTrailService,
  ) {}

  /** Validates controls/ (or `dir`) and syncs it; throws CatalogInvalidError listing every problem. */
  async syncFromFiles(actor: string, dir = this.config.controlsDir): Promise<SyncReport> {
    const { catalog, problems } = loadCatalog(dir);
    if (!catalog) throw new CatalogInvalidError(problems);
    return this.syncer.sync(catalog, actor);
  }

  /** A framework's catalog and implementing controls as OSCAL (catalog or component definition) or CSV. */
  async export(
    actor: string,
    key: string,
    format: ExportFormat,
  ): Promise<{ filename: string; contentType: string; body: string }> {
    const f = await this.framework(key);
    await this.trail.record({
      actor,
      action: 'catalog.export',
      subjectType: 'Framework',
      subjectId: f.id,
      data: { key, format },
    });
    const [requirements, controls] = await Promise.all([
      this.repo.allRequirementsOf(f.id),
      this.repo.controlsOfFramework(f.id),
    ]);
    const input: ExportInput = {
      framework: { key: f.key, name: f.name, edition: f.edition, version: f.version, description: f.description },
      requirements: requirements.map((r) => ({
        ref: r.ref,
        group: r.groupName,
        title: r.title,
        notApplicable: r.notApplicable,
      })),
      controls: controls.map(({ control: c, refs }) => ({
        key: c.key,
        title: c.title,
        description: c.description,
        ownerDepartment: c.ownerDepartment,
        cadence: c.cadence,
        maxIntervalDays: c.maxIntervalDays,
        refs,
      })),
      generatedAt: new Date(),
      generator: `Attest ${APP_VERSION}`,
    };
    const catalogFile = `${f.key}-oscal-catalog.json`;
    switch (format) {
      case 'oscal-catalog':
        return {
          filename: catalogFile,
          contentType: 'application/json',
          body: JSON.stringify(oscalCatalog(input), null, 2),
        };
      case 'oscal-component':
        return {
          filename: `${f.key}-oscal-component-definition.json`,
          contentType: 'application/json',
          body: JSON.stringify(oscalComponentDefinition(input, catalogFile), null, 2),
        };
      case 'csv':
        return { filename: `${f.key}-catalog.csv`, contentType: 'text/csv; charset=utf-8', body: catalogCsv(input) };
    }
  }

  /**
   * A framework as an audit pack states it: every live requirement in file order (with its not-applicable
   * reason and the keys of the live controls implementing it) and every live control mapped to it, in
   * catalog order, with its owner's name. Read-only, not audited (the pack build is).
   */
  async frameworkCatalog(key: string): Promise<{
    framework: { key: string; name: string; edition: string };
    requirements: { ref: string; group: string; title: string; notApplicable: string | null; controls: string[] }[];
    controls: {
      id: string;
      key: string;
      title: string;
      ownerDepartment: string;
      ownerUserId: string | null;
      ownerName: string | null;
      cadence: string;
      requirements: string[];
    }[];
  }> {
    const f = await this.framework(key);
    const [requirements, controls] = await Promise.all([
      this.repo.allRequirementsOf(f.id),
      this.repo.controlsOfFramework(f.id),
    ]);
    const names = await this.users.namesByIds(
      controls.flatMap(({ control: c }) => (c.ownerUserId ? [c.ownerUserId] : [])),
    );
    const byRef = new Map<string, string[]>();
    for (const { control, refs } of controls)
      for (const ref of refs) byRef.set(ref, [...(byRef.get(ref) ?? []), control.key]);
    return {
      framework: { key: f.key, name: f.name, edition: f.edition },
      requirements: requirements.map((r) => ({
        ref: r.ref,
        group: r.groupName,
        title: r.title,
        notApplicable: r.notApplicable,
        controls: byRef.get(r.ref) ?? [],
      })),
      controls: controls.map(({ control: c, refs }) => ({
        id: c.id,
        key: c.key,
        title: c.title,
        ownerDepartment: c.ownerDepartment,
        ownerUserId: c.ownerUserId,
        ownerName: c.ownerUserId ? (names.get(c.ownerUserId) ?? null) : null,
        cadence: c.cadence,
        requirements: refs,
      })),
    };
  }

  /** Every live control with what sweeps need (cadence, owners, collector). */
  liveControls(): Promise<LiveControl[]> {
    return this.repo.liveControls();
  }

  /** Per framework: its applicable requirements and the ids of the live controls mapped to each. */
  postureInputs(): Promise<
    { framework: string; requirements: { ref: string; notApplicable: boolean; controlIds: string[] }[] }[]
  > {
    return this.repo.postureInputs();
  }

  async listFrameworks(): Promise<FrameworkView[]> {
    return (await this.repo.listFrameworks()).map(({ framework: f, requirements, controls }) => ({
      key: f.key,
      name: f.name,
      edition: f.edition,
      description: f.description,
      version: f.version,
      requirements,
      controls,
    }));
  }

  async framework(key: string): Promise<Framework> {
    const f = await this.repo.findFramework(key);
    if (!f) throw new NotFoundError('framework', key);
    return f;
  }

  async requirements(key: string, query: RequirementQueryDto): Promise<Page<RequirementView>> {
    const framework = await this.framework(key);
    const page = pageOf(query);
    const { rows, total } = await this.repo.listRequirements(framework.id, { ...page, group: query.group, q: query.q });
    return {
      items: rows.map((r) => ({
        ref: r.ref,
        group: r.groupName,
        title: r.title,
        notApplicable: r.notApplicable,
        version: r.version,
        controls: r.controlKeys,
      })),
      total,
      ...page,
    };
  }

  async coverage(key: string): Promise<Coverage> {
    return this.repo.coverage(await this.framework(key));
  }

  async coverageAll(): Promise<Coverage[]> {
    const out: Coverage[] = [];
    for (const f of await this.repo.listFrameworks()) out.push(await this.repo.coverage(f.framework));
    return out;
  }

  private async views(controls: Control[]): Promise<ControlView[]> {
    const [mappings, names] = await Promise.all([
      this.repo.mappingsOf(controls.map((c) => c.id)),
      this.users.namesByIds(controls.flatMap((c) => (c.ownerUserId ? [c.ownerUserId] : []))),
    ]);
    return controls.map((c) => ({
      key: c.key,
      title: c.title,
      description: c.description,
      ownerDepartment: c.ownerDepartment,
      ownerUserId: c.ownerUserId,
      ownerName: c.ownerUserId ? (names.get(c.ownerUserId) ?? null) : null,
      cadence: c.cadence,
      maxIntervalDays: c.maxIntervalDays,
      evidenceGuidance: c.evidenceGuidance,
      collector: c.collector,
      version: c.version,
      requirements: mappings.get(c.id) ?? [],
    }));
  }

  async listControls(actor: UserActor, query: ControlQueryDto): Promise<Page<ControlView>> {
    const page = pageOf(query);
    const { rows, total } = await this.repo.listControls(abilityFor(actor), {
      ...page,
      framework: query.framework,
      ownerUserId: query.owner === 'me' ? actor.id : query.owner,
      department: query.department,
      cadence: query.cadence,
      q: query.q,
    });
    return { items: await this.views(rows), total, ...page };
  }

  /** Controls by key (evidence links to them), retired ones included and flagged. */
  controlsByKeys(keys: string[]): Promise<ControlRef[]> {
    return this.repo.controlRefs('key', keys);
  }

  /** Per framework, the ids of the controls mapped to it (retired ones included): an auditor engagement's evidence scope. */
  controlIdsByFramework(frameworkKeys: string[]): Promise<Map<string, string[]>> {
    return this.repo.controlIdsByFramework(frameworkKeys);
  }

  /** Controls by id, retired ones included and flagged. */
  controlsByIds(ids: string[]): Promise<ControlRef[]> {
    return this.repo.controlRefs('id', ids);
  }

  private async readableControl(actor: UserActor, key: string): Promise<Control> {
    return readableOr404(abilityFor(actor), 'Control', await this.repo.findControl(key), {
      entity: 'control',
      id: key,
    });
  }

  async getControl(actor: UserActor, key: string): Promise<ControlView> {
    return (await this.views([await this.readableControl(actor, key)]))[0];
  }

  /** Names the person accountable for a control (kept across catalog syncs). */
  async assignOwner(actor: UserActor, key: string, dto: AssignOwnerDto): Promise<ControlView> {
    const control = await this.readableControl(actor, key);
    if (!abilityFor(actor).can('update', asSubject('Control', control)))
      throw new ForbiddenError('You may not assign owners.', 'control.assign_forbidden');
    if (dto.userId !== null) {
      const person = await this.users.findActive(dto.userId);
      if (!person) throw new ValidationError([{ field: 'userId', message: 'is not an active user' }]);
      // Segregation of duties: only someone who may complete the control's sweep tasks owns it; never an auditor.
      if (!mayOwnControls(person)) {
        const role = `${/^[aeiou]/.test(person.role) ? 'an' : 'a'} ${person.role.replace(/_/g, ' ')}`;
        throw new RuleViolationError(
          'control.owner_not_eligible',
          `The person chosen is ${role}, who may not own a control: owners complete its sweep tasks, and an auditor must stay independent of what they audit.`,
          [
            {
              field: 'userId',
              message: `is ${role}; a control owner must be someone who completes sweep tasks (control owner, privacy officer, compliance manager or admin)`,
            },
          ],
        );
      }
    }
    if (control.ownerUserId !== dto.userId) {
      await this.ds.transaction(async (m) => {
        await this.repo.setOwner(control.id, dto.userId, m);
        await this.trail.append(
          {
            actor: actorRef(actor),
            action: 'control.owner_assign',
            subjectType: 'Control',
            subjectId: control.id,
            data: { key, from: control.ownerUserId, to: dto.userId },
          },
          m,
        );
      });
    }
    return this.getControl(actor, key);
  }
}
