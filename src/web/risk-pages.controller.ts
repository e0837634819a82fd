import { Body, Controller, Get, Param, Post, Query, Render, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AppAbility } from '../authz/ability.factory';
import { CurrentAbility, CurrentActor, Policy } from '../authz/policy.decorator';
import type { UserActor } from '../authz/actor';
import { renderHeatmapSvg } from '../risks/domain/heatmap-svg';
import { RISK_LEVELS } from '../risks/domain/risk-matrix';
import { RISK_CONTROL_TYPES, RISK_REGISTERS, RISK_STATUSES, traceabilityGaps } from '../risks/domain/risk-model';
import { RiskParams } from '../risks/dto/risk.dto';
import { RiskPlansService } from '../risks/risk-plans.service';
import { RiskReportsService } from '../risks/risk-reports.service';
import { mayReviewRegister, RiskReviewsService } from '../risks/risk-reviews.service';
import { RisksService } from '../risks/risks.service';
import { RISK_REVIEW_CADENCES } from '../risks/domain/risk-model';
import {
  AddRiskControlFormDto,
  CreateRiskFormDto,
  RiskPageQueryDto,
  RiskPlanFormDto,
  RiskReviewFormDto,
} from './dto/risk-forms.dto';

const REGISTER_LABEL = { iso14971: 'ISO 14971', security: 'Security (SOC 2 CC3)' } as const;
const CONTROL_TYPE_LABEL = {
  inherent_design: 'inherent safety by design',
  protective_measure: 'protective measure',
  information_for_safety: 'information for safety',
} as const;

/** The risk register: table with filters and the heat maps, a risk's page with its controls and history, and the forms. */
@ApiExcludeController()
@Controller()
export class RiskPagesController {
  constructor(
    private readonly risks: RisksService,
    private readonly reports: RiskReportsService,
    private readonly reviewing: RiskReviewsService,
    private readonly plans: RiskPlansService,
  ) {}

  @Get('risks')
  @Policy('read', 'Risk')
  @Render('risks')
  async register(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Query() query: RiskPageQueryDto,
  ) {
    const register = query.register ?? 'iso14971';
    const showPlan = !!query.product && ability.can('read', 'RiskPlan');
    const [list, heatmap, reviews, plan] = await Promise.all([
      this.risks.list(actor, { ...query, register }),
      this.reports.heatmap(actor, { register, product: query.product }),
      this.reviewing.reviews(actor, { register, limit: 5 }),
      showPlan ? this.plans.find(query.product!) : null,
    ]);
    const params = (offset: number) =>
      new URLSearchParams(
        Object.entries({
          register,
          product: query.product,
          status: query.status,
          level: query.level,
          owner: query.owner,
          q: query.q,
          offset: String(offset),
        }).filter((e): e is [string, string] => !!e[1]),
      ).toString();
    const scale = this.reports.scale(register);
    return {
      pageTitle: 'Risks',
      registerLabel: REGISTER_LABEL[register],
      risks: list.items,
      total: list.total,
      from: list.total === 0 ? 0 : list.offset + 1,
      to: list.offset + list.items.length,
      previous: list.offset > 0 ? `?${params(Math.max(0, list.offset - list.limit))}` : null,
      next: list.offset + list.limit < list.total ? `?${params(list.offset + list.limit)}` : null,
      heatmapSvg: renderHeatmapSvg({
        title: `${REGISTER_LABEL[register]} register: risks per cell before and after controls`,
        severity: heatmap.severity,
        probability: heatmap.probability,
        before: heatmap.before,
        after: heatmap.after,
        unassessed: heatmap.unassessed,
        idPrefix: `heatmap-${register}`,
      }),
      registers: RISK_REGISTERS.map((key) => ({ key, label: REGISTER_LABEL[key] })),
      statuses: RISK_STATUSES,
      levels: RISK_LEVELS,
      severities: scale.severity,
      probabilities: scale.probability,
      axes: axisLabels(scale.axes),
      p1p2: scale.p1xp2 !== null,
      registerKey: register,
      canCreate: ability.can('create', 'Risk'),
      canReview: mayReviewRegister(actor, register),
      reviews: reviews.items,
      filter: {
        register,
        product: query.product ?? '',
        status: query.status ?? '',
        level: query.level ?? '',
        mine: query.owner === 'me',
        owner: query.owner && query.owner !== 'me' ? query.owner : '',
        q: query.q ?? '',
      },
      showPlan,
      plan,
      planVersion: plan?.version ?? 0,
      cadences: RISK_REVIEW_CADENCES,
      canEditPlan: showPlan && ability.can('update', 'RiskPlan'),
    };
  }

  @Post('risks')
  @Policy('create', 'Risk')
  async create(
    @CurrentActor() actor: UserActor,
    @Body() form: CreateRiskFormDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const risk = await this.risks.create(actor, form);
    await reply.redirect(`/risks/${risk.id}`, 303);
  }

  /** The selected product's risk management plan and residual-risk statement (the API's PUT /api/risks/plans/:product). */
  @Post('risks/plan')
  @Policy('update', 'RiskPlan')
  async putPlan(
    @CurrentActor() actor: UserActor,
    @Body() form: RiskPlanFormDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { product, ...plan } = form;
    await this.plans.put(actor, product, {
      ...plan,
      residualRiskStatement: plan.residualRiskStatement?.trim() ? plan.residualRiskStatement : null,
    });
    await reply.redirect(`/risks?${new URLSearchParams({ product }).toString()}#plan`, 303);
  }

  /** The quarterly review of the register shown: notes and a frozen snapshot (the API's POST /api/risks/reviews). */
  @Post('risks/reviews')
  @Policy('update', 'Risk')
  async review(
    @CurrentActor() actor: UserActor,
    @Body() form: RiskReviewFormDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.reviewing.review(actor, form);
    await reply.redirect(`/risks?register=${form.register}`, 303);
  }

  @Get('risks/:id')
  @Policy('read', 'Risk')
  @Render('risk')
  async risk(@CurrentActor() actor: UserActor, @CurrentAbility() ability: AppAbility, @Param() p: RiskParams) {
    const [risk, history, arisingFrom] = await Promise.all([
      this.risks.get(actor, p.id),
      this.risks.history(actor, p.id),
      this.reports.arisingFrom(actor, p.id),
    ]);
    const scale = this.reports.scale(risk.register);
    return {
      pageTitle: `${risk.ref} ${risk.title}`,
      risk,
      registerLabel: REGISTER_LABEL[risk.register],
      controls: risk.controls.map((c, i) => ({ ...c, number: i + 1, typeLabel: CONTROL_TYPE_LABEL[c.type] })),
      arisingFrom,
      // The traceability report's gaps for this risk (GET /api/risks/traceability computes the same).
      gaps: traceabilityGaps({
        ...risk,
        controls: risk.controls.map((c) => ({
          implementationEvidenceIds: c.implementationEvidence,
          effectivenessEvidenceIds: c.effectivenessEvidence,
        })),
      }).map((g) => ({
        ...g,
        controlNumber: g.control === undefined ? null : g.control + 1,
      })),
      history: history.map((v) => ({ ...v, changed: v.before ? v.changes.map((c) => c.field).join(', ') : '' })),
      controlTypes: RISK_CONTROL_TYPES.map((key) => ({ key, label: CONTROL_TYPE_LABEL[key] })),
      severities: scale.severity,
      probabilities: scale.probability,
      axes: axisLabels(scale.axes),
      canUpdate: ability.can('update', 'Risk'),
    };
  }

  /** Adds one risk control (the API replaces the whole list on PATCH; the page appends to the one it showed). */
  @Post('risks/:id/controls')
  @Policy('update', 'Risk')
  async addControl(
    @CurrentActor() actor: UserActor,
    @Param() p: RiskParams,
    @Body() form: AddRiskControlFormDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const added = {
      type: form.type,
      description: form.description,
      controlKey: form.controlKey ?? null,
      implementationEvidence: form.implementationEvidence ?? [],
      effectivenessEvidence: form.effectivenessEvidence ?? [],
      arisingRisks: form.arisingRisks ?? [],
    };
    const residual =
      form.residualSeverity || form.residualProbability
        ? { residualSeverity: form.residualSeverity ?? null, residualProbability: form.residualProbability ?? null }
        : {};
    await this.risks.addControl(actor, p.id, form.version, added, residual);
    await reply.redirect(`/risks/${p.id}`, 303);
  }
}

/** The axes' names for labels: `severity`/`Severity` (ISO 14971) or `impact`/`Impact` (security). */
function axisLabels(
  axes: { severity: string; probability: string } = { severity: 'severity', probability: 'probability' },
) {
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  return { ...axes, Severity: cap(axes.severity), Probability: cap(axes.probability) };
}
