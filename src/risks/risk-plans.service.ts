import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { ConflictError, NotFoundError } from '../common/errors/app-error';
import { Page, pageOf } from '../common/http/pagination';
import { actorRef, type UserActor } from '../authz/actor';
import { UsersService } from '../identity/users.service';
import { PutRiskPlanDto, RiskPlanQueryDto, RiskPlanVersionView, RiskPlanView } from './dto/risk-plan.dto';
import type { RiskPlan } from './risk-plan.entity';
import { RiskPlansRepository } from './risk-plans.repository';

/** A plan as one version records it (before/after JSON). */
type PlanSnapshot = Pick<
  RiskPlan,
  | 'product'
  | 'scope'
  | 'intendedUse'
  | 'acceptabilityPolicy'
  | 'reviewCadence'
  | 'residualRiskStatement'
  | 'residualStatementByUserId'
> & { residualStatementAt: string | null };
const PLAN_FIELDS = [
  'product',
  'scope',
  'intendedUse',
  'acceptabilityPolicy',
  'reviewCadence',
  'residualRiskStatement',
  'residualStatementByUserId',
  'residualStatementAt',
] as const satisfies readonly (keyof PlanSnapshot)[];

/**
 * Risk management plans per product (scope, intended use, acceptability policy, review cadence) and the
 * overall residual-risk statement with who wrote it and when. Versioned like risks: every change is a new
 * version (who, when, before/after) and an audit-trail entry, in one transaction. Route guards decide who
 * may read (`read RiskPlan`) and write (`update RiskPlan`); plans carry no per-row rules.
 */
@Injectable()
export class RiskPlansService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: RiskPlansRepository,
    private readonly users: UsersService,
    private readonly trail: AuditTrailService,
  ) {}

  async list(query: RiskPlanQueryDto): Promise<Page<RiskPlanView>> {
    const page = pageOf(query);
    const { rows, total } = await this.repo.list(page);
    return { items: await this.views(rows), total, ...page };
  }

  /** The plan of a product, or null when it has none (the page shows "no plan yet"). */
  async find(product: string): Promise<RiskPlanView | null> {
    const plan = await this.repo.findByProduct(product);
    return plan ? (await this.views([plan]))[0] : null;
  }

  async get(product: string): Promise<RiskPlanView> {
    const plan = await this.find(product);
    if (!plan) throw new NotFoundError('risk_plan', product);
    return plan;
  }

  /**
   * Creates or replaces a product's plan. A changed residual-risk statement records the writer and the
   * time; an unchanged one keeps them. With `version` (0 for "must not exist yet"), a plan that has moved
   * on is a 409. Nothing is written when nothing changed.
   */
  async put(actor: UserActor, product: string, dto: PutRiskPlanDto): Promise<RiskPlanView> {
    await this.ds.transaction(async (m) => {
      const current = await this.repo.lockByProduct(product, m);
      if (dto.version !== undefined && dto.version !== (current?.version ?? 0)) {
        throw new ConflictError(
          'risk_plan.version_conflict',
          `The plan for ${product} is at version ${current?.version ?? 0}, not ${dto.version}: reload it and apply your change again.`,
        );
      }
      const statement =
        dto.residualRiskStatement === undefined
          ? (current?.residualRiskStatement ?? null)
          : dto.residualRiskStatement?.trim() || null;
      const statementChanged = statement !== (current?.residualRiskStatement ?? null);
      const values = {
        product,
        scope: dto.scope,
        intendedUse: dto.intendedUse,
        acceptabilityPolicy: dto.acceptabilityPolicy,
        reviewCadence: dto.reviewCadence,
        residualRiskStatement: statement,
        residualStatementByUserId: statementChanged
          ? statement === null
            ? null
            : actor.id
          : (current?.residualStatementByUserId ?? null),
        residualStatementAt: statementChanged
          ? statement === null
            ? null
            : new Date()
          : (current?.residualStatementAt ?? null),
      };
      const before = current ? snapshotOf(current) : null;
      const after = snapshotOf(values);
      const changed = PLAN_FIELDS.filter((f) => JSON.stringify(before?.[f] ?? null) !== JSON.stringify(after[f]));
      if (current && changed.length === 0) return;
      const version = (current?.version ?? 0) + 1;
      let id: string;
      if (current) {
        await this.repo.update(current.id, { ...values, version }, m);
        id = current.id;
      } else {
        id = (await this.repo.insert({ ...values, version }, m)).id;
      }
      const ref = actorRef(actor);
      await this.repo.insertVersion({ planId: id, version, actor: ref, before, after }, m);
      await this.trail.append(
        {
          actor: ref,
          action: current ? 'risk_plan.update' : 'risk_plan.create',
          subjectType: 'RiskPlan',
          subjectId: id,
          data: { product, version, changed },
        },
        m,
      );
    });
    return this.get(product);
  }

  async history(product: string): Promise<RiskPlanVersionView[]> {
    const plan = await this.repo.findByProduct(product);
    if (!plan) throw new NotFoundError('risk_plan', product);
    return (await this.repo.versionsOf(plan.id)).map((v) => ({
      version: v.version,
      actor: v.actor,
      at: v.at.toISOString(),
      changes: PLAN_FIELDS.filter((f) => JSON.stringify(v.before?.[f] ?? null) !== JSON.stringify(v.after[f])).map(
        (field) => ({ field, from: v.before?.[field] ?? null, to: v.after[field] }),
      ),
      before: v.before,
      after: v.after,
    }));
  }

  private async views(plans: RiskPlan[]): Promise<RiskPlanView[]> {
    const names = await this.users.namesByIds(
      plans.flatMap((p) => (p.residualStatementByUserId ? [p.residualStatementByUserId] : [])),
    );
    return plans.map((p) => ({
      product: p.product,
      scope: p.scope,
      intendedUse: p.intendedUse,
      acceptabilityPolicy: p.acceptabilityPolicy,
      reviewCadence: p.reviewCadence,
      residualRiskStatement: p.residualRiskStatement,
      residualStatementByUserId: p.residualStatementByUserId,
      residualStatementByName: p.residualStatementByUserId ? (names.get(p.residualStatementByUserId) ?? null) : null,
      residualStatementAt: p.residualStatementAt?.toISOString() ?? null,
      version: p.version,
      createdAt: p.createdAt.toISOString(),
      updatedAt: p.updatedAt.toISOString(),
    }));
  }
}

function snapshotOf(p: Omit<PlanSnapshot, 'residualStatementAt'> & { residualStatementAt: Date | null }): PlanSnapshot {
  return {
    product: p.product,
    scope: p.scope,
    intendedUse: p.intendedUse,
    acceptabilityPolicy: p.acceptabilityPolicy,
    reviewCadence: p.reviewCadence,
    residualRiskStatement: p.residualRiskStatement,
    residualStatementByUserId: p.residualStatementByUserId,
    residualStatementAt: p.residualStatementAt?.toISOString() ?? null,
  };
}
