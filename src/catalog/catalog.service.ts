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
import { oneLine } from '../common/pdf/text';
import { UsersService } from '../identity/users.service';
import { NotificationsService } from '../notifications/notifications.service';
import { loadCatalog } from './catalog-loader';
import { catalogFingerprint } from './catalog-fingerprint';
import { CatalogRepository, type ListedControl } from './catalog.repository';
import type { LiveControl } from './domain/control-refs';
import { CatalogInvalidError } from './catalog.errors';
import { CatalogSyncService, SyncReport } from './catalog-sync.service';
import type { Control } from './control.entity';
import type { ControlRef } from './domain/control-refs';
import type { Coverage } from './domain/catalog-model';
import {
  AssignOwnerDto,
  ControlQueryDto,
  ControlView,
  FrameworkView,
  RequirementQueryDto,
  RequirementView,
} from './dto/catalog.dto';
import type { Framework } from './framework.entity';

/**
 * The catalog as synced: frameworks, requirements, coverage, controls and their owners, and what the other
 * modules read of it. Exports (OSCAL, CSV, the audit packs' view) are in CatalogExportService.
 */
@Injectable()
export class CatalogService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: CatalogRepository,
    private readonly syncer: CatalogSyncService,
    private readonly users: UsersService,
    private readonly trail: AuditTrailService,
    private readonly notifications: NotificationsService,
  ) {}

  /** Validates controls/ (or `dir`) and syncs it; throws CatalogInvalidError listing every problem. */
  async syncFromFiles(actor: string, dir = this.config.controlsDir): Promise<SyncReport> {
    return this.syncFiles(actor, dir, catalogFingerprint(dir));
  }

  /**
   * The start's sync: none (null) when the catalog's files and the sync code are those the last completed
   * sync stored (any instance's: the fingerprint is in the database), else syncFromFiles().
   */
  async syncFromFilesIfChanged(actor: string, dir = this.config.controlsDir): Promise<SyncReport | null> {
    const fingerprint = catalogFingerprint(dir);
    if ((await this.syncer.storedFingerprint()) === fingerprint) return null;
    return this.syncFiles(actor, dir, fingerprint);
  }

  /**
   * `fingerprint` is taken before the files are read: a file changed in between makes the next start sync
   * again, rather than a stored fingerprint of content that was never synced.
   */
  private async syncFiles(actor: string, dir: string, fingerprint: string): Promise<SyncReport> {
    const { catalog, problems } = loadCatalog(dir);
    if (!catalog) throw new CatalogInvalidError(problems);
    return this.syncer.sync(catalog, actor, fingerprint);
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
      this.ownerNames(controls),
    ]);
    return controls.map((c) => controlView({ ...c, requirements: mappings.get(c.id) ?? [] }, names));
  }

  /** The views of controls read with their requirements, with their owners' names. */
  private async withOwnerNames(controls: ListedControl[]): Promise<ControlView[]> {
    const names = await this.ownerNames(controls);
    return controls.map((c) => controlView(c, names));
  }

  /** The names of the controls' assigned people (the identity module's). */
  private ownerNames(controls: { ownerUserId: string | null }[]): Promise<Map<string, string>> {
    return this.users.namesByIds(controls.flatMap((c) => (c.ownerUserId ? [c.ownerUserId] : [])));
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
    return { items: await this.withOwnerNames(rows), total, ...page };
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
        const entry = await this.trail.append(
          {
            actor: actorRef(actor),
            action: 'control.owner_assign',
            subjectType: 'Control',
            subjectId: control.id,
            data: { key, from: control.ownerUserId, to: dto.userId },
          },
          m,
        );
        // The new owner is told, in the same transaction (the trail entry's number keeps each assignment's notice apart).
        if (dto.userId !== null)
          await this.notifications.enqueue(
            {
              recipientUserId: dto.userId,
              kind: 'control.owner_assigned',
              dedupeKey: `control:${control.id}:owner:${entry.seq}`,
              subject: oneLine(`You now own control ${key}: ${control.title}`).slice(0, 200),
              body: `You are now the accountable person for control ${key} (${control.title}). Its weekly sweep tasks come to you from the next sweep; the control's page shows its evidence and what each period needs.`,
              link: `/controls/${key}`,
            },
            m,
          );
      });
    }
    return this.getControl(actor, key);
  }
}

function controlView(c: ListedControl, names: Map<string, string>): ControlView {
  return {
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
    requirements: c.requirements,
  };
}
