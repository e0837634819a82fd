import { createMongoAbility } from '@casl/ability';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { abilityFor, type AppAbility } from '../authz/ability.factory';
import { asSubject } from '../authz/subject';
import type { SubjectType } from '../authz/subjects';
import { CatalogService } from '../catalog/catalog.service';
import {
  ConflictError,
  FieldProblem,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '../common/errors/app-error';
import { Page, pageOf } from '../common/http/pagination';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { EvidenceService } from '../evidence/evidence.service';
import { NotificationsService } from '../notifications/notifications.service';
import { actorRef, systemActor, type Actor, type UserActor } from '../authz/actor';
import { UsersService } from '../identity/users.service';
import { CsvControl, formatCsvProblem, parseRiskCsv, riskCsv, RiskFields } from './domain/risk-csv';
import { previousQuarter, quarterOf } from './domain/quarter';
import { heatmapGrid, RiskMatrixFile, RiskScale, scaleFor } from './domain/risk-matrix';
import {
  assess,
  ControlSnapshot,
  diffSnapshots,
  fieldIssues,
  RiskRegister,
  RiskSnapshot,
  traceabilityGaps,
} from './domain/risk-model';
import {
  ArisingFromView,
  CreateRiskDto,
  CreateRiskReviewDto,
  RiskReviewQueryDto,
  RiskReviewView,
  ExportQueryDto,
  HeatmapView,
  ImportResultView,
  RegisterScopeDto,
  RiskControlInputDto,
  RiskControlView,
  RiskQueryDto,
  RiskVersionView,
  RiskView,
  TraceabilityItemView,
  TraceabilityQueryDto,
  UpdateRiskDto,
} from './dto/risk.dto';
import { loadRiskMatrix } from './risk-matrix-loader';
import type { Risk } from './risk.entity';
import { RiskMatrixInvalidError } from './risks.errors';
import type { RiskReview } from './risk-review.entity';
import { RisksRepository, type RiskStates } from './risks.repository';

/** A risk control with its catalog control resolved (id for the row, key for people). */
interface ResolvedControl extends ControlSnapshot {
  controlId: string | null;
}

interface Current {
  risk: Risk;
  controls: ResolvedControl[];
}

type Outcome = 'created' | 'updated' | 'unchanged';

const EXPORT_LIMIT = 10_000;

/**
 * The risk registers: ISO 14971 and information security. Levels always come from the matrix; every
 * change is a new version (who, when, before/after) and an audit-trail entry, in one transaction.
 */
@Injectable()
export class RisksService {
  private loadedMatrix: RiskMatrixFile | null = null;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: RisksRepository,
    private readonly catalog: CatalogService,
    private readonly evidence: EvidenceService,
    private readonly users: UsersService,
    private readonly trail: AuditTrailService,
    private readonly notifications: NotificationsService,
  ) {}

  /** The acceptability matrix from controls/risk-matrix.yaml, loaded once; RiskMatrixInvalidError lists its problems. */
  matrix(): RiskMatrixFile {
    if (!this.loadedMatrix) {
      const { matrix, problems } = loadRiskMatrix(this.config.controlsDir);
      if (!matrix) throw new RiskMatrixInvalidError(problems);
      this.loadedMatrix = matrix;
    }
    return this.loadedMatrix;
  }

  /** A register's scale: S × P from the ISO 14971 matrix, or the security register's own I × L. */
  scale(register: RiskRegister): RiskScale {
    return scaleFor(this.matrix(), register);
  }

  async list(actor: UserActor, query: RiskQueryDto): Promise<Page<RiskView>> {
    const page = pageOf(query);
    const states = await this.repo.listVisible(
      abilityFor(actor),
      {
        register: query.register,
        product: query.product,
        status: query.status,
        level: query.level,
        residualLevel: query.residualLevel,
        ownerUserId: query.owner === 'me' ? actor.id : query.owner,
        q: query.q,
      },
      page,
    );
    const controls = await this.controlsFor(states);
    return { items: states.rows.map((r) => riskView(r, controls.get(r.id) ?? [])), total: states.total, ...page };
  }

  /** A risk as the actor may read it (an auditor: as it stood at the end of their period), else 404. */
  async get(actor: UserActor, id: string): Promise<RiskView> {
    const states = /^[0-9a-f-]{36}$/i.test(id)
      ? await this.repo.findVisible(abilityFor(actor), id)
      : { rows: [], snapshots: new Map() };
    const risk = states.rows[0];
    if (!risk) throw new NotFoundError('risk', id);
    return riskView(risk, (await this.controlsFor(states)).get(risk.id) ?? []);
  }

  async create(actor: UserActor, dto: CreateRiskDto): Promise<RiskView> {
    const fields: RiskFields & { ownerUserId: string } = {
      register: dto.register,
      ref: dto.ref,
      product: dto.product,
      title: dto.title,
      hazard: dto.hazard ?? null,
      sequenceOfEvents: dto.sequenceOfEvents ?? null,
      hazardousSituation: dto.hazardousSituation ?? null,
      harm: dto.harm ?? null,
      severity: dto.severity,
      probability: dto.probability ?? null,
      p1: dto.p1 ?? null,
      p2: dto.p2 ?? null,
      residualSeverity: dto.residualSeverity ?? null,
      residualProbability: dto.residualProbability ?? null,
      benefitRisk: dto.benefitRisk ?? null,
      status: dto.status ?? 'open',
      treatment: dto.treatment ?? null,
      dueOn: dto.dueOn ?? null,
      ownerUserId: dto.ownerUserId ?? actor.id,
    };
    const ability = abilityFor(actor);
    if (!ability.can('create', asSubject('Risk', fields))) throw notYours('create');
    // A ref taken by a risk the actor cannot read is refused without naming it (no existence oracle).
    const [taken] = await this.repo.findByRefs([{ register: fields.register, ref: fields.ref }]);
    if (taken && !ability.can('read', asSubject('Risk', taken)))
      throw new ConflictError('risk.ref_taken', 'This ref cannot be used; choose another.');
    const issues: FieldProblem[] = fieldIssues(this.matrix(), fields);
    const controls = await this.resolveControls(dto.controls ?? [], issues, {
      ability,
      register: fields.register,
      ref: fields.ref,
    });
    await this.checkOwner(fields.ownerUserId, issues);
    if (issues.length) throw new ValidationError(issues);
    const { risk } = await this.ds.transaction((m) => this.apply(actor, null, fields, controls, m));
    return this.get(actor, risk.id);
  }

  /**
   * Appends one risk control (and optionally the residual S/P) to the risk as the caller saw it at
   * `version`: the update's version check answers 409 when the risk has moved on since.
   */
  async addControl(
    actor: UserActor,
    id: string,
    version: number,
    control: NonNullable<UpdateRiskDto['controls']>[number],
    residual: Pick<UpdateRiskDto, 'residualSeverity' | 'residualProbability'>,
  ): Promise<RiskView> {
    const current = await this.get(actor, id);
    return this.update(actor, id, { version, controls: [...current.controls, control], ...residual });
  }

  async update(actor: UserActor, id: string, dto: UpdateRiskDto): Promise<RiskView> {
    const ability = abilityFor(actor);
    const seen = await this.visible(ability, id);
    const issues: FieldProblem[] = [];
    const controls =
      dto.controls === undefined
        ? undefined
        : await this.resolveControls(dto.controls, issues, { ability, register: seen.register, ref: seen.ref });
    if (dto.ownerUserId !== undefined) await this.checkOwner(dto.ownerUserId, issues);
    if (issues.length) throw new ValidationError(issues);
    await this.ds.transaction(async (m) => {
      const locked = await this.repo.lockForUpdate(id, m);
      if (!locked || !ability.can('read', asSubject('Risk', locked))) throw new NotFoundError('risk', id);
      if (!ability.can('update', asSubject('Risk', locked))) throw notYours('update');
      if (dto.version !== undefined && dto.version !== locked.version) {
        throw new ConflictError(
          'risk.version_conflict',
          `The risk is at version ${locked.version}, not ${dto.version}: reload it and apply your change again.`,
        );
      }
      const merged = mergeFields(locked, dto);
      if (!ability.can('update', asSubject('Risk', merged))) throw notYours('update');
      const problems = fieldIssues(this.matrix(), merged);
      if (problems.length) throw new ValidationError(problems);
      const current = { risk: locked, controls: (await this.controlsOf([id], m)).get(id) ?? [] };
      await this.apply(actor, current, merged, controls, m);
    });
    return this.get(actor, id);
  }

  /** A risk's versions the actor may read (an auditor: up to the end of their period), newest first. */
  async history(actor: UserActor, id: string): Promise<RiskVersionView[]> {
    const ability = abilityFor(actor);
    const risk = await this.visible(ability, id);
    return (await this.repo.versionsOf(risk.id, ability)).map((v) => ({
      version: v.version,
      actor: v.actor,
      at: v.at.toISOString(),
      changes: diffSnapshots(v.before as RiskSnapshot | null, v.after as unknown as RiskSnapshot),
      before: v.before,
      after: v.after,
    }));
  }

  /** Counts per matrix cell before controls (initial S × P) and after them (residual, else initial). */
  heatmap(actor: UserActor, query: RegisterScopeDto): Promise<HeatmapView> {
    return this.heatmapFor(abilityFor(actor), query);
  }

  /**
   * For audit packs (system use, no caller): the whole register's counts by status, level and residual level,
   * its heat map, and its latest review with the reviewer's name.
   */
  async registerOverview(register: RiskRegister): Promise<{
    summary: { status: string; level: string; residualLevel: string | null; count: number }[];
    heatmap: HeatmapView;
    latestReview: (RiskReviewView & { reviewerName: string | null }) | null;
  }> {
    const everything = createMongoAbility<AppAbility>([{ action: 'manage', subject: 'all' as SubjectType }]);
    const [summary, heatmap, latest] = await Promise.all([
      this.repo.registerSummary(register),
      this.heatmapFor(everything, { register }),
      this.repo.latestReview(register),
    ]);
    const names = latest ? await this.users.namesByIds([latest.reviewerUserId]) : new Map<string, string>();
    return {
      summary,
      heatmap,
      latestReview: latest ? { ...reviewView(latest), reviewerName: names.get(latest.reviewerUserId) ?? null } : null,
    };
  }

  private async heatmapFor(ability: AppAbility, query: RegisterScopeDto): Promise<HeatmapView> {
    const register = query.register ?? 'iso14971';
    const m = this.scale(register);
    const counts = await this.repo.heatmapCounts(ability, { register, product: query.product });
    const before = heatmapGrid(m, counts.before);
    const after = heatmapGrid(m, counts.after);
    return {
      register,
      product: query.product ?? null,
      severity: m.severity.map(({ level, name }) => ({ level, name })),
      probability: m.probability.map(({ level, name }) => ({ level, name })),
      before: before.cells,
      after: after.cells,
      unassessed: counts.unassessed,
      total: counts.before.reduce((n, c) => n + c.count, 0),
    };
  }

  /**
   * The quarterly review: the reviewer's notes and the register frozen as the reviewer sees it (every risk with
   * its controls) plus the whole register's counts by status and level; one audit-trail entry, same transaction.
   */
  async review(actor: UserActor, dto: CreateRiskReviewDto): Promise<RiskReviewView> {
    const register = dto.register ?? 'iso14971';
    if (!mayReviewRegister(actor, register)) {
      // A register the actor cannot read is not there for them (404); one they read but may not review, 403.
      if (!abilityFor(actor).can('read', asSubject('Risk', { register, ownerUserId: actor.id })))
        throw new NotFoundError('risk_register', register);
      throw new ForbiddenError(`You may not review the ${register} register.`, 'risk.review_forbidden');
    }
    const states = await this.repo.listVisible(abilityFor(actor), { register }, { limit: EXPORT_LIMIT, offset: 0 });
    const rows = states.rows;
    const controls = await this.controlsFor(states);
    const summary = await this.repo.registerSummary(register);
    const snapshot = {
      register,
      risks: rows.map((r) => riskView(r, controls.get(r.id) ?? [])),
      summary,
    } as unknown as Record<string, unknown>;
    const review = await this.ds.transaction(async (m) => {
      const saved = await this.repo.insertReview(
        { register, reviewerUserId: actor.id, reviewedAt: new Date(), notes: dto.notes, snapshot },
        m,
      );
      await this.trail.append(
        {
          actor: actorRef(actor),
          action: 'risk.review',
          subjectType: 'RiskReview',
          subjectId: saved.id,
          data: { register, risks: rows.length },
        },
        m,
      );
      return saved;
    });
    return reviewView(review);
  }

  /**
   * The quarterly review task of the ISO 14971 register (run by the risk-review job; idempotent): tells each
   * owner of a risk that is not closed and every active user of the clinical department that this quarter's
   * review is due (unless one was already completed this quarter), and that last quarter's is overdue when
   * none was completed in it. Each notification once per quarter and person (dedupe keys); one audit-trail
   * entry when anything was raised, in the same transaction. Quarters by the Bangkok calendar.
   */
  async raiseQuarterlyReview(
    now: Date = new Date(),
    actor = 'system:job:risk-review',
  ): Promise<{ quarter: string; due: number; overdue: number }> {
    const register = 'iso14971' as const;
    const quarter = quarterOf(now);
    const previous = previousQuarter(quarter);
    const owners = [];
    for (const id of await this.repo.ownersOfOpenRisks(register)) if (await this.users.findActive(id)) owners.push(id);
    const recipients = [
      ...new Set([...owners, ...(await this.users.activeUserIds({ departmentKey: 'clinical' }))]),
    ].sort();
    const doneThisQuarter = (await this.repo.reviewsBetween(register, quarter.start, quarter.end)) > 0;
    const overdue = (await this.repo.reviewsBetween(register, previous.start, previous.end)) === 0;
    const lastDay = new Date(quarter.end.getTime() - 1).toLocaleDateString('en-CA', { timeZone: 'Asia/Bangkok' });
    return this.ds.transaction(async (m) => {
      const counts = { due: 0, overdue: 0 };
      for (const userId of recipients) {
        if (!doneThisQuarter) {
          const created = await this.notifications.enqueue(
            {
              recipientUserId: userId,
              kind: 'risk.review_due',
              dedupeKey: `risk-review:${register}:${quarter.key}:due:${userId}`,
              subject: `Quarterly ISO 14971 risk review ${quarter.key} is due`,
              body: `Review every hazard of the ISO 14971 register — hazardous situation, severity and probability, risk controls and their verification, residual risk — add hazards from new features, and complete the review on the Risks page by ${lastDay}.`,
              link: '/risks?register=iso14971#reviews',
            },
            m,
          );
          if (created) counts.due++;
        }
        if (overdue) {
          const created = await this.notifications.enqueue(
            {
              recipientUserId: userId,
              kind: 'risk.review_overdue',
              dedupeKey: `risk-review:${register}:${previous.key}:overdue:${userId}`,
              subject: `Overdue: no ISO 14971 risk review was completed in ${previous.key}`,
              body: `No quarterly review of the ISO 14971 risk register was recorded in ${previous.key}. Complete one on the Risks page; it is the evidence for the risk review controls.`,
              link: '/risks?register=iso14971#reviews',
            },
            m,
          );
          if (created) counts.overdue++;
        }
      }
      if (counts.due + counts.overdue > 0) {
        await this.trail.append(
          {
            actor,
            action: 'risk.review_task',
            subjectType: 'RiskReview',
            subjectId: null,
            data: {
              register,
              quarter: quarter.key,
              due: counts.due,
              overdue: counts.overdue,
              overdueQuarter: overdue ? previous.key : null,
            },
          },
          m,
        );
      }
      return { quarter: quarter.key, ...counts };
    });
  }

  /** A register's quarterly reviews the actor may read (an auditor: completed within their period), newest first. */
  async reviews(actor: UserActor, query: RiskReviewQueryDto): Promise<Page<RiskReviewView>> {
    const page = pageOf(query);
    const { rows, total } = await this.repo.listReviews(abilityFor(actor), query.register ?? 'iso14971', page);
    return { items: rows.map(reviewView), total, ...page };
  }

  /** For the `risk-review` collector: the latest review of each register (with its frozen snapshot) and the registers' counts now. */
  async reviewEvidence(): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const register of ['iso14971', 'security'] as const) {
      const latest = await this.repo.latestReview(register);
      out[register] = {
        latestReview: latest ? { ...reviewView(latest), snapshot: latest.snapshot } : null,
        summary: await this.repo.registerSummary(register),
      };
    }
    return out;
  }

  /** The measures of other risks (that the caller may read) that introduced this risk (ISO 14971 7.5). */
  async arisingFrom(actor: UserActor, id: string): Promise<ArisingFromView[]> {
    const ability = abilityFor(actor);
    const risk = await this.visible(ability, id);
    return (await this.origins(ability, risk.register, [risk.ref])).get(risk.ref) ?? [];
  }

  /** Hazard → controls → verification evidence, with the gaps of each risk flagged; paged by ref. */
  async traceability(actor: UserActor, query: TraceabilityQueryDto): Promise<Page<TraceabilityItemView>> {
    const page = pageOf(query);
    const ability = abilityFor(actor);
    const states = await this.repo.listVisible(
      ability,
      { register: query.register ?? 'iso14971', product: query.product },
      page,
    );
    const { rows, total } = states;
    const controls = await this.controlsFor(states);
    const origins = await this.origins(
      ability,
      query.register ?? 'iso14971',
      rows.map((r) => r.ref),
    );
    return {
      items: rows.map((r) => {
        const cs = controls.get(r.id) ?? [];
        return {
          id: r.id,
          ref: r.ref,
          product: r.product,
          hazard: r.hazard,
          hazardousSituation: r.hazardousSituation,
          harm: r.harm,
          level: r.level,
          residualLevel: r.residualLevel,
          benefitRisk: r.benefitRisk,
          controls: cs.map(controlView),
          arisingFrom: origins.get(r.ref) ?? [],
          gaps: traceabilityGaps({
            level: r.level,
            residualLevel: r.residualLevel,
            benefitRisk: r.benefitRisk,
            controls: cs,
          }),
        };
      }),
      total,
      ...page,
    };
  }

  /** The visible register as CSV (the download is logged). */
  async export(
    actor: UserActor,
    query: ExportQueryDto,
  ): Promise<{ filename: string; contentType: string; body: string }> {
    const states = await this.repo.listVisible(
      abilityFor(actor),
      { register: query.register, product: query.product },
      { limit: EXPORT_LIMIT, offset: 0 },
    );
    const { rows, total } = states;
    if (total > EXPORT_LIMIT)
      throw new ValidationError([
        {
          field: 'product',
          message: `the export holds at most ${EXPORT_LIMIT} risks (${total} match): narrow it by register or product`,
        },
      ]);
    await this.trail.record({
      actor: actorRef(actor),
      action: 'risk.export',
      subjectType: 'Risk',
      subjectId: null,
      data: { register: query.register ?? null, rows: rows.length },
    });
    const controls = await this.controlsFor(states);
    return {
      filename: `risks-${query.register ?? 'all'}.csv`,
      contentType: 'text/csv; charset=utf-8',
      body: riskCsv(rows.map((r) => snapshotOf(r, controls.get(r.id) ?? []))),
    };
  }

  /**
   * Imports a CSV register, all or nothing: every row is checked first (cells, levels, owners, and whether
   * you may create or change it), and any problem rejects the whole file with each problem named by row
   * and column. A row whose register and ref exist updates that risk (a new version when anything
   * changed); others create risks. Levels in the file are ignored: they are computed.
   */
  async importCsv(actor: UserActor, csv: unknown): Promise<ImportResultView> {
    if (typeof csv !== 'string')
      throw new ValidationError(
        [{ field: 'body', message: 'must be the register as CSV, sent with Content-Type: text/csv' }],
        undefined,
        'risk.import_not_csv',
      );
    const m = this.matrix();
    const parsed = parseRiskCsv(m, csv);
    const problems = parsed.problems;
    const ability = abilityFor(actor);
    const existing = new Map(
      (await this.repo.findByRefs(parsed.rows.map((r) => ({ register: r.register, ref: r.ref })))).map((r) => [
        `${r.register}:${r.ref}`,
        r,
      ]),
    );
    const owners = new Map<string, boolean>();
    for (const id of new Set(parsed.rows.flatMap((r) => (r.ownerUserId ? [r.ownerUserId] : []))))
      owners.set(id, !!(await this.users.findActive(id)));
    const plan: {
      row: RiskFields & { ownerUserId: string };
      current: Risk | null;
      controls: ResolvedControl[] | undefined;
    }[] = [];
    // Risks a measure introduced may be rows of the same file (created by this import).
    const inFile = new Set(parsed.rows.map((r) => `${r.register}:${r.ref}`));
    for (const row of parsed.rows) {
      const at = row.row;
      if (row.ownerUserId && !owners.get(row.ownerUserId))
        problems.push({ row: at, column: 'owner_user_id', message: 'is not an active user' });
      const current = existing.get(`${row.register}:${row.ref}`) ?? null;
      const fields = { ...row, ownerUserId: row.ownerUserId ?? current?.ownerUserId ?? actor.id };
      if (current) {
        if (!ability.can('read', asSubject('Risk', current)) || !ability.can('update', asSubject('Risk', current)))
          problems.push({
            row: at,
            column: 'ref',
            message: ability.can('read', asSubject('Risk', current))
              ? `${row.ref} is already in the ${row.register} register, in a risk you may not change`
              : 'cannot be used; choose another ref',
          });
        else if (!ability.can('update', asSubject('Risk', fields)))
          problems.push({ row: at, column: 'owner_user_id', message: 'you may not hand this risk to another owner' });
      } else if (!ability.can('create', asSubject('Risk', fields))) {
        problems.push({
          row: at,
          column: fields.register !== 'iso14971' ? 'register' : 'owner_user_id',
          message: 'you may only create ISO 14971 risks you own',
        });
      }
      let controls: ResolvedControl[] | undefined;
      if (row.controls) {
        const issues: FieldProblem[] = [];
        controls = await this.resolveControls(row.controls.map(csvControlInput), issues, {
          ability,
          register: row.register,
          ref: row.ref,
          known: inFile,
        });
        for (const i of issues)
          problems.push({ row: at, column: 'controls', message: `${i.field.replace(/^controls/, '')}: ${i.message}` });
      }
      plan.push({ row: fields, current, controls });
    }
    if (problems.length) {
      problems.sort((a, b) => a.row - b.row);
      throw new ValidationError(
        problems.map((p) => ({ field: `row ${p.row}, ${p.column}`, message: p.message })),
        `Nothing was imported: ${problems.length} problem(s). ${problems.slice(0, 20).map(formatCsvProblem).join('; ')}`,
        'risk.import_invalid',
      );
    }
    const counts = { rows: plan.length, created: 0, updated: 0, unchanged: 0 };
    await this.ds.transaction(async (tx) => {
      const ids = plan.flatMap((p) => (p.current ? [p.current.id] : []));
      const locked = await this.repo.lockAllForUpdate(ids, tx);
      const controls = await this.controlsOf(ids, tx);
      for (const { row, current, controls: rowControls } of plan) {
        let state: Current | null = null;
        if (current) {
          const risk = locked.get(current.id);
          if (!risk)
            throw new ConflictError(
              'risk.import_conflict',
              `${row.ref} was removed during the import; nothing was imported.`,
            );
          if (!ability.can('update', asSubject('Risk', risk))) throw notYours('update'); // changed hands since the check
          state = { risk, controls: controls.get(risk.id) ?? [] };
        }
        const { outcome } = await this.apply(actor, state, row, rowControls, tx);
        counts[outcome]++;
      }
      await this.trail.append(
        { actor: actorRef(actor), action: 'risk.import', subjectType: 'Risk', subjectId: null, data: counts },
        tx,
      );
    });
    return counts;
  }

  /**
   * Recomputes every stored level from the matrix as it is now: levels are computed when a risk is written,
   * so after controls/risk-matrix.yaml changes (the stricter default of issue 12, or the company's own edit)
   * the stored ones can be stale. A risk whose level or residual level differs gets a new version and a
   * `risk.update` audit entry naming the changed fields, by `actor`; the others are untouched (idempotent).
   * A risk whose stored severity or probability is not on the scale any more is left as it is and listed.
   * Runs at start (RiskLevelsBootstrapService).
   */
  async reevaluateLevels(
    actor: Actor = systemActor('risk-matrix'),
  ): Promise<{ checked: number; updated: string[]; offScale: string[] }> {
    const matrix = this.matrix();
    const result = { checked: 0, updated: [] as string[], offScale: [] as string[] };
    await this.ds.transaction(async (m) => {
      for (const id of await this.repo.allIds(m)) {
        const locked = await this.repo.lockForUpdate(id, m);
        if (!locked) continue;
        result.checked++;
        const fields = mergeFields(locked, {} as UpdateRiskDto);
        if (fieldIssues(matrix, fields).length) {
          result.offScale.push(`${locked.register}:${locked.ref}`);
          continue;
        }
        const current = { risk: locked, controls: (await this.controlsOf([id], m)).get(id) ?? [] };
        const { outcome } = await this.apply(actor, current, fields, undefined, m);
        if (outcome === 'updated') result.updated.push(`${locked.register}:${locked.ref}`);
      }
    });
    return result;
  }

  // ---- internals ---------------------------------------------------------------------------------

  /**
   * Writes a risk (new, or a change of `current`) with levels computed from the matrix, its controls when
   * given, a version row with before/after and an audit-trail entry, in the caller's transaction. Nothing
   * is written when nothing changed.
   */
  private async apply(
    actor: Actor,
    current: Current | null,
    fields: RiskFields & { ownerUserId: string },
    controls: ResolvedControl[] | undefined,
    m: EntityManager,
  ): Promise<{ risk: Risk; outcome: Outcome }> {
    const { assessment } = assess(this.scale(fields.register), fields);
    if (!assessment) throw new Error('apply() called with fields that do not assess'); // callers check fieldIssues first
    const nextControls = controls ?? current?.controls ?? [];
    const values = {
      register: fields.register,
      ref: fields.ref,
      product: fields.product,
      title: fields.title,
      hazard: fields.hazard,
      sequenceOfEvents: fields.sequenceOfEvents,
      hazardousSituation: fields.hazardousSituation,
      harm: fields.harm,
      ...assessment,
      benefitRisk: fields.benefitRisk,
      status: fields.status,
      treatment: fields.treatment,
      dueOn: fields.dueOn,
      ownerUserId: fields.ownerUserId,
    };
    const after: RiskSnapshot = { ...values, controls: nextControls.map(controlSnapshot) };
    const before = current ? snapshotOf(current.risk, current.controls) : null;
    const changes = diffSnapshots(before, after);
    if (current && changes.length === 0) return { risk: current.risk, outcome: 'unchanged' };
    const version = current ? current.risk.version + 1 : 1;
    let risk: Risk;
    if (current) {
      await this.repo.update(current.risk.id, { ...values, version }, m);
      risk = { ...current.risk, ...values, version };
    } else {
      risk = await this.repo.insert({ ...values, version }, m);
    }
    if (!current || changes.some((c) => c.field === 'controls')) {
      await this.repo.replaceControls(
        risk.id,
        nextControls.map((c, position) => ({
          position,
          type: c.type,
          description: c.description,
          controlId: c.controlId,
          implementationEvidenceIds: c.implementationEvidenceIds,
          effectivenessEvidenceIds: c.effectivenessEvidenceIds,
          arisingRiskRefs: c.arisingRiskRefs,
        })),
        m,
      );
    }
    const ref = actorRef(actor);
    await this.repo.insertVersion(
      {
        riskId: risk.id,
        version,
        actor: ref,
        before: before as unknown as Record<string, unknown> | null,
        after: after as unknown as Record<string, unknown>,
      },
      m,
    );
    await this.trail.append(
      {
        actor: ref,
        action: current ? 'risk.update' : 'risk.create',
        subjectType: 'Risk',
        subjectId: risk.id,
        data: {
          register: risk.register,
          ref: risk.ref,
          version,
          level: risk.level,
          residualLevel: risk.residualLevel,
          status: risk.status,
          changed: changes.map((c) => c.field),
        },
      },
      m,
    );
    return { risk, outcome: current ? 'updated' : 'created' };
  }

  private async visible(ability: AppAbility, id: string): Promise<Risk> {
    const risk = await this.repo.findById(id);
    if (!risk || !ability.can('read', asSubject('Risk', risk))) throw new NotFoundError('risk', id);
    return risk;
  }

  private async checkOwner(userId: string, issues: FieldProblem[]): Promise<void> {
    if (!(await this.users.findActive(userId))) issues.push({ field: 'ownerUserId', message: 'is not an active user' });
  }

  /**
   * Catalog controls by key (live ones only), verification evidence that must serve that control, and the
   * risks each measure introduced: refs of other risks in the same register that the caller may read (or,
   * in an import, rows of the same file: `known` holds `register:ref`).
   */
  private async resolveControls(
    inputs: RiskControlInputDto[],
    issues: FieldProblem[],
    ctx: { ability: AppAbility; register: Risk['register']; ref: string; known?: Set<string> },
  ): Promise<ResolvedControl[]> {
    const refs = await this.catalog.controlsByKeys([
      ...new Set(inputs.flatMap((c) => (c.controlKey ? [c.controlKey] : []))),
    ]);
    const byKey = new Map(refs.map((r) => [r.key, r]));
    const arising = [...new Set(inputs.flatMap((c) => c.arisingRisks ?? []))];
    const readable = new Set(
      (await this.repo.findByRefs(arising.map((ref) => ({ register: ctx.register, ref }))))
        .filter((r) => ctx.ability.can('read', asSubject('Risk', r)))
        .map((r) => r.ref),
    );
    const out: ResolvedControl[] = [];
    for (const [i, c] of inputs.entries()) {
      const at = `controls[${i}]`;
      const key = c.controlKey ?? null;
      const control = key ? byKey.get(key) : undefined;
      if (key && (!control || control.retired))
        issues.push({
          field: `${at}.controlKey`,
          message: control ? `${key} is retired` : `${key} is not a control in the catalog`,
        });
      const evidence = {
        implementationEvidence: [...new Set(c.implementationEvidence ?? [])],
        effectivenessEvidence: [...new Set(c.effectivenessEvidence ?? [])],
      };
      for (const field of ['implementationEvidence', 'effectivenessEvidence'] as const) {
        const ids = evidence[field];
        if (ids.length === 0) continue;
        if (!key) {
          issues.push({
            field: `${at}.${field}`,
            message: 'needs a controlKey: verification evidence is evidence of the control implementing the measure',
          });
          continue;
        }
        if (!control) continue;
        const linked = new Set(await this.evidence.linkedTo(control.id, ids));
        const missing = ids.filter((id) => !linked.has(id.toLowerCase()));
        if (missing.length)
          issues.push({
            field: `${at}.${field}`,
            message: `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not current evidence of ${key}`,
          });
      }
      const arisingRefs = [...new Set(c.arisingRisks ?? [])];
      for (const ref of arisingRefs) {
        if (ref === ctx.ref)
          issues.push({
            field: `${at}.arisingRisks`,
            message: `${ref} is the risk this measure controls; a risk it introduces is a new entry`,
          });
        else if (!readable.has(ref) && !ctx.known?.has(`${ctx.register}:${ref}`))
          issues.push({ field: `${at}.arisingRisks`, message: `${ref} is not a risk in the ${ctx.register} register` });
      }
      out.push({
        type: c.type,
        description: c.description,
        controlKey: key,
        controlId: control?.id ?? null,
        implementationEvidenceIds: evidence.implementationEvidence.map((id) => id.toLowerCase()),
        effectivenessEvidenceIds: evidence.effectivenessEvidence.map((id) => id.toLowerCase()),
        arisingRiskRefs: arisingRefs,
      });
    }
    return out;
  }

  /** The controls of each listed risk as it stands in the list: its current ones, or those of the older version it was rebuilt from. */
  private async controlsFor(states: RiskStates): Promise<Map<string, ResolvedControl[]>> {
    const out = await this.controlsOf(states.rows.filter((r) => !states.snapshots.has(r.id)).map((r) => r.id));
    for (const [id, controls] of states.snapshots)
      out.set(
        id,
        controls.map((c) => ({ ...controlSnapshot(c), controlId: null })),
      );
    return out;
  }

  /** Each risk's controls, with the keys of their catalog controls. */
  private async controlsOf(riskIds: string[], m?: EntityManager): Promise<Map<string, ResolvedControl[]>> {
    const rows = await this.repo.controlsOf(riskIds, m);
    const ids = [...new Set([...rows.values()].flat().flatMap((c) => (c.controlId ? [c.controlId] : [])))];
    const keys = new Map((await this.catalog.controlsByIds(ids)).map((c) => [c.id, c.key]));
    const out = new Map<string, ResolvedControl[]>();
    for (const [riskId, cs] of rows) {
      out.set(
        riskId,
        cs.map((c) => ({
          type: c.type,
          description: c.description,
          controlId: c.controlId,
          controlKey: c.controlId ? (keys.get(c.controlId) ?? null) : null,
          implementationEvidenceIds: c.implementationEvidenceIds,
          effectivenessEvidenceIds: c.effectivenessEvidenceIds,
          arisingRiskRefs: c.arisingRiskRefs,
        })),
      );
    }
    return out;
  }

  /** For each of `refs`: the readable measures of other risks in the register that introduced it. */
  private async origins(
    ability: AppAbility,
    register: RiskRegister,
    refs: string[],
  ): Promise<Map<string, ArisingFromView[]>> {
    const out = new Map<string, ArisingFromView[]>();
    for (const rc of await this.repo.controlsIntroducing(register, refs)) {
      if (!rc.risk || !ability.can('read', asSubject('Risk', rc.risk))) continue;
      for (const ref of rc.arisingRiskRefs) {
        if (refs.includes(ref))
          out.set(ref, [
            ...(out.get(ref) ?? []),
            { id: rc.risk.id, ref: rc.risk.ref, title: rc.risk.title, control: rc.position + 1 },
          ]);
      }
    }
    return out;
  }
}

/** A control of a CSV row in the API's input shape. */
function csvControlInput(c: CsvControl): RiskControlInputDto {
  return {
    type: c.type,
    description: c.description,
    controlKey: c.controlKey,
    implementationEvidence: c.implementationEvidence,
    effectivenessEvidence: c.effectivenessEvidence,
    arisingRisks: c.arisingRisks,
  };
}

/**
 * Whether the actor may record a quarterly review of a register (its notes and a snapshot): the same rule
 * as adding risks to it. Compliance managers and admins review both registers; privacy officers and
 * clinical control owners the ISO 14971 register where they hold risks, never the security register.
 */
export function mayReviewRegister(actor: UserActor, register: RiskRegister): boolean {
  return abilityFor(actor).can('create', asSubject('Risk', { register, ownerUserId: actor.id }));
}

function notYours(action: 'create' | 'update'): ForbiddenError {
  return new ForbiddenError(
    `You may ${action} only ISO 14971 risks you own (compliance managers manage every risk).`,
    'risk.not_yours',
  );
}

/** The risk's fields after a PATCH: absent keeps, null clears (nullable fields only). */
function mergeFields(r: Risk, dto: UpdateRiskDto): RiskFields & { ownerUserId: string } {
  const pick = <K extends keyof RiskFields>(k: K, current: RiskFields[K]): RiskFields[K] =>
    dto[k as keyof UpdateRiskDto] === undefined ? current : (dto[k as keyof UpdateRiskDto] as RiskFields[K]);
  // A new P, or P1/P2 set to null, replaces the P1 × P2 derivation; new P1/P2 replace P.
  const p1p2Given = dto.p1 !== undefined || dto.p2 !== undefined;
  const probabilityGiven = dto.probability !== undefined;
  return {
    register: r.register,
    ref: r.ref,
    product: pick('product', r.product),
    title: pick('title', r.title),
    hazard: pick('hazard', r.hazard),
    sequenceOfEvents: pick('sequenceOfEvents', r.sequenceOfEvents),
    hazardousSituation: pick('hazardousSituation', r.hazardousSituation),
    harm: pick('harm', r.harm),
    severity: pick('severity', r.severity),
    probability: probabilityGiven ? (dto.probability ?? null) : p1p2Given ? null : r.probability,
    p1: p1p2Given ? (dto.p1 === undefined ? r.p1 : dto.p1) : probabilityGiven ? null : r.p1,
    p2: p1p2Given ? (dto.p2 === undefined ? r.p2 : dto.p2) : probabilityGiven ? null : r.p2,
    residualSeverity: pick('residualSeverity', r.residualSeverity),
    residualProbability: pick('residualProbability', r.residualProbability),
    benefitRisk: pick('benefitRisk', r.benefitRisk),
    status: pick('status', r.status),
    treatment: pick('treatment', r.treatment),
    dueOn: pick('dueOn', r.dueOn),
    ownerUserId: dto.ownerUserId ?? r.ownerUserId,
  };
}

function controlSnapshot(c: ControlSnapshot): ControlSnapshot {
  return {
    type: c.type,
    description: c.description,
    controlKey: c.controlKey,
    implementationEvidenceIds: c.implementationEvidenceIds,
    effectivenessEvidenceIds: c.effectivenessEvidenceIds,
    arisingRiskRefs: c.arisingRiskRefs,
  };
}

function snapshotOf(r: Risk, controls: ControlSnapshot[]): RiskSnapshot {
  return {
    register: r.register,
    ref: r.ref,
    product: r.product,
    title: r.title,
    hazard: r.hazard,
    sequenceOfEvents: r.sequenceOfEvents,
    hazardousSituation: r.hazardousSituation,
    harm: r.harm,
    severity: r.severity,
    probability: r.probability,
    p1: r.p1,
    p2: r.p2,
    level: r.level,
    residualSeverity: r.residualSeverity,
    residualProbability: r.residualProbability,
    residualLevel: r.residualLevel,
    benefitRisk: r.benefitRisk,
    status: r.status,
    treatment: r.treatment,
    dueOn: r.dueOn,
    ownerUserId: r.ownerUserId,
    controls: controls.map(controlSnapshot),
  };
}

function controlView(c: ControlSnapshot): RiskControlView {
  return {
    type: c.type,
    description: c.description,
    controlKey: c.controlKey,
    implementationEvidence: c.implementationEvidenceIds,
    effectivenessEvidence: c.effectivenessEvidenceIds,
    arisingRisks: c.arisingRiskRefs,
  };
}

function riskView(r: Risk, controls: ControlSnapshot[]): RiskView {
  const { controls: _snapshotControls, ...fields } = snapshotOf(r, controls);
  return {
    id: r.id,
    ...fields,
    version: r.version,
    controls: controls.map(controlView),
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

function reviewView(r: RiskReview): RiskReviewView {
  const snapshot = r.snapshot as { risks?: unknown[]; summary?: RiskReviewView['summary'] };
  return {
    id: r.id,
    register: r.register as RiskReviewView['register'],
    reviewerUserId: r.reviewerUserId,
    reviewedAt: r.reviewedAt.toISOString(),
    notes: r.notes,
    risks: snapshot.risks?.length ?? 0,
    summary: snapshot.summary ?? [],
  };
}
