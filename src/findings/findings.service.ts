import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { toJsonObject, type JsonObject } from '../audit-trail/domain/audit-entry';
import type { AuditAction } from '../audit-trail/domain/audit-actions';
import { abilityFor, type AppAbility } from '../authz/ability.factory';
import { actorRef, type Actor, type UserActor } from '../authz/actor';
import { readableOr404 } from '../authz/row-access';
import { asSubject } from '../authz/subject';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../common/errors/app-error';
import { Page, pageOf, PageQueryDto } from '../common/http/pagination';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { EvidenceQueriesService } from '../evidence/evidence-queries.service';
import { DepartmentsService } from '../identity/departments.service';
import { ReleaseGatesService } from '../releases/release-gates.service';
import type {
  CreateFindingDto,
  CreatePenTestDto,
  FindingQueryDto,
  FindingView,
  FixFindingDto,
  PenTestView,
  RetestFindingDto,
} from './dto/finding.dto';
import type { Finding, FindingAcceptance, PenTest } from './finding.entity';
import { UsersService } from '../identity/users.service';
import type { FindingSeverity } from '../releases/domain/release-model';
import { findingView, penTestView } from './finding-views';
import { FindingsRepository } from './findings.repository';

/** The register's rows an audit pack or the weekly snapshot states at a moment (audit-packs/pack-secops). */
export interface FindingRegisterRecords {
  findings: Finding[];
  acceptances: FindingAcceptance[];
  penTests: PenTest[];
  /** Names of the acceptances' signers. */
  names: Map<string, string>;
  slaDays: Record<FindingSeverity, number>;
}

/**
 * The findings register (issue 18): findings entered by hand or from a pen test, listed with their SLA clock
 * (controls/release-gates.yaml `findingSlaDays`), fixed with evidence and retested. Access from the one
 * ability: rows by department in SQL and on the loaded row; 404 for a finding the caller may not read.
 */
@Injectable()
export class FindingsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: FindingsRepository,
    private readonly gates: ReleaseGatesService,
    private readonly departments: DepartmentsService,
    private readonly evidence: EvidenceQueriesService,
    private readonly trail: AuditTrailService,
    private readonly users: UsersService,
  ) {}

  async create(actor: UserActor, dto: CreateFindingDto): Promise<FindingView> {
    const department = dto.department ?? actor.departmentKey;
    if (!department || !(await this.departments.findByKey(department)))
      throw new ValidationError([{ field: 'department', message: 'must be a department key of departments.yaml' }]);
    if (!abilityFor(actor).can('create', asSubject('Finding', { department })))
      throw new ForbiddenError('You may record findings of your own department only.');
    if (dto.source === 'pen_test' && !dto.penTestId)
      throw new ValidationError([{ field: 'penTestId', message: 'is required for a pen-test finding' }]);
    if (dto.penTestId && !(await this.repo.findPenTest(dto.penTestId)))
      throw new ValidationError([{ field: 'penTestId', message: 'is not a pen test' }]);
    const openedAt = dto.openedAt ? new Date(dto.openedAt) : new Date();
    if (openedAt.getTime() > Date.now() + 60_000)
      throw new ValidationError([{ field: 'openedAt', message: 'must not be in the future' }]);
    const row = await this.ds.transaction(async (m) => {
      const f = await this.repo.insert(
        {
          source: dto.source,
          penTestId: dto.source === 'pen_test' ? dto.penTestId! : null,
          severity: dto.severity,
          title: dto.title.trim(),
          detail: dto.detail ?? '',
          product: dto.product,
          department,
          ownerUserId: dto.ownerUserId ?? null,
          status: 'open',
          openedAt,
          createdByUserId: actor.id,
        },
        m,
      );
      await this.audit(m, actor, 'finding.create', f, { source: f.source, severity: f.severity });
      return f;
    });
    return this.view(row);
  }

  async list(actor: UserActor, query: FindingQueryDto): Promise<Page<FindingView>> {
    const page = pageOf(query);
    const { rows, total } = await this.repo.listVisible(abilityFor(actor), query, page);
    return { items: await this.views(rows), total, ...page };
  }

  async get(actor: UserActor, id: string): Promise<FindingView> {
    return this.view(await this.readable(abilityFor(actor), id));
  }

  /** Fix evidence: an evidence item the actor may read; the SLA clock stops, a retest closes or reopens it. */
  async fix(actor: UserActor, id: string, dto: FixFindingDto): Promise<FindingView> {
    const ability = abilityFor(actor);
    await this.changeable(ability, id);
    await this.evidence.get(actor, dto.evidenceId).catch((e: unknown) => {
      if (e instanceof NotFoundError)
        throw new ValidationError([{ field: 'evidenceId', message: 'is not an evidence item you may read' }]);
      throw e;
    });
    return this.change(actor, id, ['open', 'accepted'], 'finding.fix', () => ({
      status: 'fixed',
      closedAt: new Date(),
      fixEvidenceId: dto.evidenceId,
      fixNote: dto.note?.trim() || null,
      retestResult: null,
      retestedAt: null,
    }));
  }

  /** A retest of a fixed finding: passed closes it, failed reopens it (its clock runs again from when it was opened). */
  async retest(actor: UserActor, id: string, dto: RetestFindingDto): Promise<FindingView> {
    await this.changeable(abilityFor(actor), id);
    const now = new Date();
    return this.change(actor, id, ['fixed'], 'finding.retest', (f) => ({
      status: dto.result === 'passed' ? 'closed' : 'open',
      closedAt: dto.result === 'passed' ? f.closedAt : null,
      retestResult: dto.result,
      retestedAt: now,
    }));
  }

  private async change(
    actor: UserActor,
    id: string,
    from: Finding['status'][],
    action: AuditAction,
    changes: (f: Finding) => Partial<Finding>,
  ): Promise<FindingView> {
    const row = await this.ds.transaction(async (m) => {
      const f = (await this.repo.lock(id, m))!;
      if (!from.includes(f.status))
        throw new ConflictError(
          action === 'finding.retest' ? 'finding.not_fixed' : 'finding.not_open',
          `The finding is ${f.status}: ${action === 'finding.retest' ? 'only a fixed finding is retested' : 'only an open or accepted finding is fixed'}.`,
          [{ field: 'status', message: `is ${f.status}` }],
        );
      const c = changes(f);
      await this.repo.update(id, c, m);
      await this.audit(m, actor, action, f, JSON.parse(JSON.stringify(c)) as object);
      return { ...f, ...c } as Finding;
    });
    return this.view(row);
  }

  async createPenTest(actor: UserActor, dto: CreatePenTestDto): Promise<PenTestView> {
    if (!isDay(dto.startsOn)) throw new ValidationError([{ field: 'startsOn', message: 'is not a calendar date' }]);
    if (!isDay(dto.endsOn)) throw new ValidationError([{ field: 'endsOn', message: 'is not a calendar date' }]);
    if (dto.endsOn < dto.startsOn)
      throw new ValidationError([{ field: 'endsOn', message: 'must be on or after startsOn' }]);
    const row = await this.ds.transaction(async (m) => {
      const p = await this.repo.insertPenTest({ ...dto, createdByUserId: actor.id }, m);
      await this.trail.append(
        {
          actor: actorRef(actor),
          action: 'finding.pen_test',
          subjectType: 'PenTest',
          subjectId: p.id,
          data: { vendor: p.vendor, startsOn: p.startsOn, endsOn: p.endsOn },
        },
        m,
      );
      return p;
    });
    return penTestView(row);
  }

  async listPenTests(query: PageQueryDto): Promise<Page<PenTestView>> {
    const page = pageOf(query);
    const [rows, total] = await this.repo.listPenTests(page);
    return { items: rows.map(penTestView), total, ...page };
  }

  /**
   * Every finding opened before `until` and not closed before `openAt` (the system reads all: audit packs
   * and the weekly snapshot), with their acceptances, pen tests and the SLA days.
   */
  async registerRecords(openAt: Date, until: Date): Promise<FindingRegisterRecords> {
    const findings = await this.repo.openDuring(openAt, until);
    const acceptances = await this.repo.acceptancesOf(findings.map((f) => f.id));
    const penIds = [...new Set(findings.flatMap((f) => (f.penTestId ? [f.penTestId] : [])))];
    const penTests = (await Promise.all(penIds.map((id) => this.repo.findPenTest(id)))).filter((p) => p !== null);
    const names = await this.users.namesByIds(acceptances.map((a) => a.signerUserId));
    return { findings, acceptances, penTests, names, slaDays: this.gates.policy().findingSlaDays };
  }

  /**
   * The weekly evidence of the findings register (ENG-04): every finding open at some time of [from, now] —
   * open or accepted now, or opened or closed in the week — with its SLA clock and acceptance at `now`,
   * and the counts by severity, status and SLA state.
   */
  async registerSnapshot(from: Date, to: Date, now: Date): Promise<JsonObject> {
    const rows = await this.repo.openDuring(from, now);
    const views = await this.views(rows, now);
    const tally = (key: (v: FindingView) => string) => {
      const out: Record<string, number> = {};
      for (const v of views) out[key(v)] = (out[key(v)] ?? 0) + 1;
      return out;
    };
    const inWeek = (iso: string | null) => iso !== null && iso >= from.toISOString() && iso < to.toISOString();
    return toJsonObject({
      at: now.toISOString(),
      period: { from: from.toISOString(), to: to.toISOString() },
      counts: {
        findings: views.length,
        openedInPeriod: views.filter((v) => inWeek(v.openedAt)).length,
        closedInPeriod: views.filter((v) => inWeek(v.closedAt)).length,
        bySeverity: tally((v) => v.severity),
        byStatus: tally((v) => v.status),
        bySla: tally((v) => v.sla.state),
      },
      findings: views.map((v) => ({
        id: v.id,
        source: v.source,
        severity: v.severity,
        title: v.title,
        product: v.product,
        department: v.department,
        status: v.status,
        openedAt: v.openedAt,
        closedAt: v.closedAt,
        sla: v.sla,
        acceptance: v.acceptance
          ? { expiresOn: v.acceptance.expiresOn, holds: v.acceptance.holds, signedAt: v.acceptance.signedAt }
          : null,
      })),
    });
  }

  /** The finding if the ability may read it; 404 otherwise (as for one that does not exist). */
  readable(ability: AppAbility, id: string, m?: EntityManager): Promise<Finding> {
    return this.repo.findById(id, m).then((row) => readableOr404(ability, 'Finding', row, { entity: 'finding', id }));
  }

  /** Readable (else 404) and changeable by the ability (else 403). */
  async changeable(ability: AppAbility, id: string): Promise<Finding> {
    const f = await this.readable(ability, id);
    if (!ability.can('update', asSubject('Finding', f)))
      throw new ForbiddenError('You may change findings of your own department only.');
    return f;
  }

  async view(f: Finding, now = new Date()): Promise<FindingView> {
    return (await this.views([f], now))[0];
  }

  async views(rows: Finding[], now = new Date()): Promise<FindingView[]> {
    const acceptances = await this.repo.acceptancesOf(rows.map((f) => f.id));
    const sla = this.gates.policy().findingSlaDays;
    return rows.map((f) =>
      findingView(f, acceptances.find((a) => a.findingId === f.id) ?? null, sla, now, this.config.timeZone),
    );
  }

  async audit(m: EntityManager, actor: Actor, action: AuditAction, f: Finding, data: object): Promise<void> {
    await this.trail.append(
      {
        actor: actorRef(actor),
        action,
        subjectType: 'Finding',
        subjectId: f.id,
        data: toJsonObject({ product: f.product, title: f.title, ...data }),
      },
      m,
    );
  }
}

function isDay(s: string): boolean {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}
