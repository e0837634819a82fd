import { Body, Controller, Get, Param, Post, Query, Render, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AppAbility } from '../authz/ability.factory';
import { CurrentAbility, CurrentActor, Policy } from '../authz/policy.decorator';
import type { UserActor } from '../authz/actor';
import type { ValidationError } from '../common/errors/app-error';
import { RISK_REGISTERS, type RiskRegister } from '../risks/domain/risk-model';
import { CreateRiskDto, RiskParams } from '../risks/dto/risk.dto';
import { RiskPlansService } from '../risks/risk-plans.service';
import { RiskReportsService } from '../risks/risk-reports.service';
import { mayReviewRegister, RiskReviewsService } from '../risks/risk-reviews.service';
import { RisksService } from '../risks/risks.service';
import {
  AddRiskControlFormDto,
  CreateRiskFormDto,
  RiskPageQueryDto,
  RiskPlanFormDto,
  RiskReviewFormDto,
} from './dto/risk-forms.dto';
import { CatalogService } from '../catalog/catalog.service';
import { EvidenceQueriesService } from '../evidence/evidence-queries.service';
import type { RiskView } from '../risks/dto/risk.dto';
import { allRows } from './list-csv';
import { refusedForm, validated } from './incident-forms';
import { createRiskBody, riskPage, riskRegisterPage, type RiskControlPickers, type RiskFormState } from './risk.page';
import { refusalStatus } from './form-refusal';
import { viewUser } from './view-context.interceptor';

/** The risk register: table with filters and the heat maps, a risk's page with its controls and history, and the forms. */
/** The newest evidence items the add-control form offers (the datalist searches them as one types). */
const PICKER_EVIDENCE = 200;

@ApiExcludeController()
@Controller()
export class RiskPagesController {
  constructor(
    private readonly risks: RisksService,
    private readonly reports: RiskReportsService,
    private readonly reviewing: RiskReviewsService,
    private readonly plans: RiskPlansService,
    private readonly catalog: CatalogService,
    private readonly evidence: EvidenceQueriesService,
  ) {}

  @Get('risks')
  @Policy('read', 'Risk')
  @Render('risks')
  register(@CurrentActor() actor: UserActor, @CurrentAbility() ability: AppAbility, @Query() query: RiskPageQueryDto) {
    return this.registerModel(actor, ability, query, null);
  }

  private async registerModel(
    actor: UserActor,
    ability: AppAbility,
    query: RiskPageQueryDto,
    addForm: RiskFormState | null,
  ) {
    const register = query.register ?? 'iso14971';
    const showPlan = !!query.product && ability.can('read', 'RiskPlan');
    const [list, heatmap, reviews, plan] = await Promise.all([
      this.risks.list(actor, { ...query, register }),
      this.reports.heatmap(actor, { register, product: query.product }),
      this.reviewing.reviews(actor, { register, limit: 5 }),
      showPlan ? this.plans.find(query.product!) : null,
    ]);
    return riskRegisterPage({
      query,
      register,
      list,
      heatmap,
      reviews,
      scale: this.reports.scale(register),
      showPlan,
      plan,
      addForm,
      can: {
        create: ability.can('create', 'Risk'),
        review: mayReviewRegister(actor, register),
        editPlan: ability.can('update', 'RiskPlan'),
      },
    });
  }

  /** "Add a hazard": 303 to the new risk; a refusal shows the register again with the form as typed (400/409/422). */
  @Post('risks')
  @Policy('create', 'Risk')
  async create(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Body() form: CreateRiskFormDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const register = (RISK_REGISTERS as readonly string[]).includes(form.register ?? '')
      ? (form.register as RiskRegister)
      : 'iso14971';
    try {
      const risk = await this.risks.create(actor, await validated(CreateRiskDto, createRiskBody(form, register)));
      await reply.redirect(`/risks/${risk.id}`, 303);
    } catch (e) {
      const status = refusalStatus(e);
      if (status === null) throw e;
      const refused = refusedForm('risk', form, e as ValidationError);
      const model = await this.registerModel(actor, ability, { register }, refused);
      await reply.status(status).view('risks', { ...model, me: viewUser(actor, reply.request.url) });
    }
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
    const canUpdate = ability.can('update', 'Risk');
    return riskPage({
      risk,
      history,
      arisingFrom,
      scale: this.reports.scale(risk.register),
      canUpdate,
      evidenceTitles: await this.evidenceTitles(actor, risk),
      pickers: canUpdate ? await this.pickers(actor, ability) : null,
    });
  }

  /** Titles of the evidence the risk's controls name, as far as the reader may read each item. */
  private async evidenceTitles(actor: UserActor, risk: RiskView): Promise<Map<string, string>> {
    const ids = [...new Set(risk.controls.flatMap((c) => [...c.implementationEvidence, ...c.effectivenessEvidence]))];
    const items = await Promise.all(ids.map((id) => this.evidence.get(actor, id).catch(() => null)));
    return new Map(items.filter((e) => e !== null).map((e) => [e.id, e.title]));
  }

  /** The add-control form's choices: every control, and the newest current evidence the person may read. */
  private async pickers(actor: UserActor, ability: AppAbility): Promise<RiskControlPickers> {
    const [controls, evidence] = await Promise.all([
      allRows((page) => this.catalog.listControls(actor, page)),
      ability.can('read', 'Evidence')
        ? this.evidence.list(actor, { current: true, limit: PICKER_EVIDENCE, offset: 0 })
        : { items: [] },
    ]);
    return { controls, evidence: evidence.items };
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
