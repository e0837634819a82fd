import { createMongoAbility } from '@casl/ability';
import { Injectable } from '@nestjs/common';
import { abilityFor, type AppAbility } from '../authz/ability.factory';
import type { UserActor } from '../authz/actor';
import type { SubjectType } from '../authz/subjects';
import { Page, pageOf } from '../common/http/pagination';
import { UsersService } from '../identity/users.service';
import { heatmapGrid, RiskScale } from './domain/risk-matrix';
import { RiskRegister, traceabilityGaps } from './domain/risk-model';
import {
  ArisingFromView,
  HeatmapView,
  RegisterScopeDto,
  RiskReviewView,
  TraceabilityItemView,
  TraceabilityQueryDto,
} from './dto/risk.dto';
import { RiskRecords } from './risk-records';
import { controlView, reviewView } from './risk-views';
import { RisksRepository } from './risks.repository';

/** Views across a register: the heat map, traceability (hazard → controls → evidence), arising risks, and the audit packs' overview. */
@Injectable()
export class RiskReportsService {
  constructor(
    private readonly repo: RisksRepository,
    private readonly records: RiskRecords,
    private readonly users: UsersService,
  ) {}

  /** A register's scale: S × P from the ISO 14971 matrix, or the security register's own I × L. */
  scale(register: RiskRegister): RiskScale {
    return this.records.scale(register);
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

  /** The measures of other risks (that the caller may read) that introduced this risk (ISO 14971 7.5). */
  async arisingFrom(actor: UserActor, id: string): Promise<ArisingFromView[]> {
    const ability = abilityFor(actor);
    const risk = await this.records.readable(ability, id);
    return (await this.records.origins(ability, risk.register, [risk.ref])).get(risk.ref) ?? [];
  }

  /** Hazard → controls → verification evidence, with the gaps of each risk flagged; paged by ref. */
  traceability(actor: UserActor, query: TraceabilityQueryDto): Promise<Page<TraceabilityItemView>> {
    return this.traceabilityFor(abilityFor(actor), query);
  }

  /**
   * For a release's ISO 14971 clause 9 report (system use, no caller): every ISO 14971 risk of the product
   * with its controls, residual level and traceability gaps, by ref.
   */
  async productRiskFile(product: string): Promise<TraceabilityItemView[]> {
    const everything = createMongoAbility<AppAbility>([{ action: 'manage', subject: 'all' as SubjectType }]);
    const items: TraceabilityItemView[] = [];
    for (let offset = 0; ; offset += 200) {
      const page = await this.traceabilityFor(everything, { register: 'iso14971', product, limit: 200, offset });
      items.push(...page.items);
      if (page.items.length === 0 || offset + 200 >= page.total) return items;
    }
  }

  private async traceabilityFor(ability: AppAbility, query: TraceabilityQueryDto): Promise<Page<TraceabilityItemView>> {
    const page = pageOf(query);
    const states = await this.repo.listVisible(
      ability,
      { register: query.register ?? 'iso14971', product: query.product },
      page,
    );
    const { rows, total } = states;
    const controls = await this.records.controlsFor(states);
    const origins = await this.records.origins(
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
          title: r.title,
          status: r.status,
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

  private async heatmapFor(ability: AppAbility, query: RegisterScopeDto): Promise<HeatmapView> {
    const register = query.register ?? 'iso14971';
    const m = this.records.scale(register);
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
}
