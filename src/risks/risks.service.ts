import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { abilityFor } from '../authz/ability.factory';
import type { UserActor } from '../authz/actor';
import { readableOr404 } from '../authz/row-access';
import { asSubject } from '../authz/subject';
import { ConflictError, FieldProblem, NotFoundError, ValidationError } from '../common/errors/app-error';
import { Page, pageOf } from '../common/http/pagination';
import { mergeFields, type OwnedRiskFields } from './domain/risk-merge';
import { diffSnapshots, fieldIssues } from './domain/risk-model';
import { CreateRiskDto, RiskQueryDto, RiskVersionView, RiskView, UpdateRiskDto } from './dto/risk.dto';
import { RiskControlResolver } from './risk-control-resolver';
import { RiskRecords } from './risk-records';
import { notYours, riskView } from './risk-views';
import { RisksRepository } from './risks.repository';

/**
 * The risk registers: ISO 14971 and information security. Levels always come from the matrix; every
 * change is a new version (who, when, before/after) and an audit-trail entry, in one transaction.
 * This service keeps the register itself (list, read, create, change, versions); reviews, CSV, reports
 * and the re-evaluation of levels have their own.
 */
@Injectable()
export class RisksService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: RisksRepository,
    private readonly records: RiskRecords,
    private readonly resolver: RiskControlResolver,
  ) {}

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
    const controls = await this.records.controlsFor(states);
    return { items: states.rows.map((r) => riskView(r, controls.get(r.id) ?? [])), total: states.total, ...page };
  }

  /** A risk as the actor may read it (an auditor: as it stood at the end of their period), else 404. */
  async get(actor: UserActor, id: string): Promise<RiskView> {
    const states = /^[0-9a-f-]{36}$/i.test(id)
      ? await this.repo.findVisible(abilityFor(actor), id)
      : { rows: [], snapshots: new Map() };
    const risk = states.rows[0];
    if (!risk) throw new NotFoundError('risk', id);
    return riskView(risk, (await this.records.controlsFor(states)).get(risk.id) ?? []);
  }

  async create(actor: UserActor, dto: CreateRiskDto): Promise<RiskView> {
    const id = await this.ds.transaction((m) => this.createWithin(actor, dto, m));
    return this.get(actor, id);
  }

  /**
   * Checks and adds a risk inside the caller's transaction (an incident that raises a new hazard adds the
   * risk and its link together); answers the new risk's id. Refusals are the same as `create`'s.
   */
  async createWithin(actor: UserActor, dto: CreateRiskDto, m: EntityManager): Promise<string> {
    const fields: OwnedRiskFields = {
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
    const issues: FieldProblem[] = fieldIssues(this.records.matrix(), fields);
    const controls = await this.resolver.resolveControls(dto.controls ?? [], issues, {
      ability,
      register: fields.register,
      ref: fields.ref,
    });
    await this.records.checkOwner(fields.ownerUserId, issues);
    if (issues.length) throw new ValidationError(issues);
    const { risk } = await this.records.apply(actor, null, fields, controls, m);
    return risk.id;
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
    const seen = await this.records.readable(ability, id);
    const issues: FieldProblem[] = [];
    const controls =
      dto.controls === undefined
        ? undefined
        : await this.resolver.resolveControls(dto.controls, issues, {
            ability,
            register: seen.register,
            ref: seen.ref,
          });
    if (dto.ownerUserId !== undefined) await this.records.checkOwner(dto.ownerUserId, issues);
    if (issues.length) throw new ValidationError(issues);
    await this.ds.transaction(async (m) => {
      const locked = await readableOr404(ability, 'Risk', await this.repo.lockForUpdate(id, m), { entity: 'risk', id });
      if (!ability.can('update', asSubject('Risk', locked))) throw notYours('update');
      if (dto.version !== undefined && dto.version !== locked.version) {
        throw new ConflictError(
          'risk.version_conflict',
          `The risk is at version ${locked.version}, not ${dto.version}: reload it and apply your change again.`,
        );
      }
      const merged = mergeFields(locked, dto);
      if (!ability.can('update', asSubject('Risk', merged))) throw notYours('update');
      const problems = fieldIssues(this.records.matrix(), merged);
      if (problems.length) throw new ValidationError(problems);
      const current = { risk: locked, controls: (await this.records.controlsOf([id], m)).get(id) ?? [] };
      await this.records.apply(actor, current, merged, controls, m);
    });
    return this.get(actor, id);
  }

  /** A risk's versions the actor may read (an auditor: up to the end of their period), newest first. */
  async history(actor: UserActor, id: string): Promise<RiskVersionView[]> {
    const ability = abilityFor(actor);
    const risk = await this.records.readable(ability, id);
    return (await this.repo.versionsOf(risk.id, ability)).map((v) => ({
      version: v.version,
      actor: v.actor,
      at: v.at.toISOString(),
      changes: diffSnapshots(v.before, v.after),
      before: v.before,
      after: v.after,
    }));
  }
}
