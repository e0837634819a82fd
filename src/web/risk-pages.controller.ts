import { Body, Controller, Get, Param, Post, Query, Render, Res, UseInterceptors } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AppAbility } from '../authz/ability.factory';
import { CurrentAbility, CurrentActor, Policy } from '../authz/policy.decorator';
import type { UserActor } from '../authz/actor';
import type { ValidationError } from '../common/errors/app-error';
import { CreateRiskDto, CreateRiskReviewDto, RiskParams, UpdateRiskDto } from '../risks/dto/risk.dto';
import { PutRiskPlanDto, RiskPlanParams } from '../risks/dto/risk-plan.dto';
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
import { validated } from './incident-forms';
import { createRiskBody, riskPage, riskRegisterPage, type RiskControlPickers } from './risk.page';
import {
  addControlBody,
  planBody,
  refusedRiskForm,
  registerOf,
  reviewBody,
  type RiskFormName,
  type RiskFormState,
} from './risk-forms';
import { refusalStatus } from './form-refusal';
import { FormIdempotency, FormKey, FormKeyInterceptor, newFormKey } from './form-idempotency';
import { viewUser } from './view-context.interceptor';

/** The risk register: table with filters and the heat maps, a risk's page with its controls and history, and the forms. */
/** The newest evidence items the add-control form offers (the datalist searches them as one types). */
const PICKER_EVIDENCE = 200;

@ApiExcludeController()
@Controller()
@UseInterceptors(FormKeyInterceptor)
export class RiskPagesController {
  constructor(
    private readonly risks: RisksService,
    private readonly reports: RiskReportsService,
    private readonly reviewing: RiskReviewsService,
    private readonly plans: RiskPlansService,
    private readonly catalog: CatalogService,
    private readonly evidence: EvidenceQueriesService,
    private readonly forms: FormIdempotency,
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
    form: RiskFormState | null,
  ) {
    const register = query.register ?? 'iso14971';
    const showPlan = !!query.product && ability.can('read', 'RiskPlan');
    const [list, heatmap, reviews, plan] = await Promise.all([
      this.risks.list(actor, { ...query, register }),
      this.reports.heatmap(actor, { register, product: query.product }),
      this.reviewing.reviews(actor, { register, limit: 5 }),
      showPlan ? this.plans.find(query.product!) : null,
    ]);
    const page = riskRegisterPage({
      query,
      register,
      list,
      heatmap,
      reviews,
      scale: this.reports.scale(register),
      showPlan,
      plan,
      form,
      can: {
        create: ability.can('create', 'Risk'),
        review: mayReviewRegister(actor, register),
        editPlan: ability.can('update', 'RiskPlan'),
      },
    });
    return { ...page, formKey: newFormKey() }; // the forms' idempotency key (form-idempotency.ts)
  }

  /** "Add a hazard": 303 to the new risk; a refusal shows the register again with the form as typed (400/409/422). */
  @Post('risks')
  @Policy('create', 'Risk')
  async create(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Body() form: CreateRiskFormDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const register = registerOf(form.register);
    await this.submit(
      { reply, actor, key, name: 'hazard', values: form },
      {
        run: async () => {
          const risk = await this.risks.create(actor, await validated(CreateRiskDto, createRiskBody(form, register)));
          return `/risks/${risk.id}`;
        },
        refused: async (state) => ['risks', await this.registerModel(actor, ability, { register }, state)],
      },
    );
  }

  /**
   * The selected product's risk management plan and residual-risk statement (the API's PUT
   * /api/risks/plans/:product); refused, the register page of the product again with the form as typed. The
   * product is the page's hidden field: a product the API refuses is the error page (there is no plan to show).
   */
  @Post('risks/plan')
  @Policy('update', 'RiskPlan')
  async putPlan(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Body() form: RiskPlanFormDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { product } = await validated(RiskPlanParams, { product: form.product ?? '' });
    await this.submit(
      { reply, actor, key, name: 'plan', values: form },
      {
        run: async () => {
          await this.plans.put(actor, product, await validated(PutRiskPlanDto, planBody(form)));
          return `/risks?${new URLSearchParams({ product }).toString()}#plan`;
        },
        refused: async (state) => ['risks', await this.registerModel(actor, ability, { product }, state)],
      },
    );
  }

  /** The quarterly review of the register shown: notes and a frozen snapshot (the API's POST /api/risks/reviews). */
  @Post('risks/reviews')
  @Policy('update', 'Risk')
  async review(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Body() form: RiskReviewFormDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const register = registerOf(form.register);
    await this.submit(
      { reply, actor, key, name: 'review', values: form },
      {
        run: async () => {
          const review = await this.reviewing.review(actor, await validated(CreateRiskReviewDto, reviewBody(form)));
          return `/risks?register=${review.register}`;
        },
        refused: async (state) => ['risks', await this.registerModel(actor, ability, { register }, state)],
      },
    );
  }

  /**
   * Runs a form once per idempotency key and answers 303 to where it leads (post/redirect/get); a refused form (400, 409, 422) is shown
   * again on its page with what was typed and each problem next to its field. Anything else: the error page.
   */
  private async submit(
    s: { reply: FastifyReply; actor: UserActor; key: string | null; name: RiskFormName; values: object },
    form: { run: () => Promise<string>; refused: (state: RiskFormState) => Promise<[string, object]> },
  ): Promise<void> {
    try {
      // Once per page key: a reload of the POST or a double click gets the first submission's redirect.
      const done = await this.forms.once(s.actor.id, s.key, `risk.${s.name}`, async () => ({
        location: await form.run(),
      }));
      await s.reply.redirect(done.location, 303);
    } catch (e) {
      const status = refusalStatus(e);
      if (status === null) throw e;
      const [view, model] = await form.refused(refusedRiskForm(s.name, s.values, e as ValidationError));
      await s.reply.status(status).view(view, { ...model, me: viewUser(s.actor, s.reply.request.url) });
    }
  }

  @Get('risks/:id')
  @Policy('read', 'Risk')
  @Render('risk')
  risk(@CurrentActor() actor: UserActor, @CurrentAbility() ability: AppAbility, @Param() p: RiskParams) {
    return this.riskModel(actor, ability, p.id, null);
  }

  private async riskModel(actor: UserActor, ability: AppAbility, id: string, form: RiskFormState | null) {
    const [risk, history, arisingFrom] = await Promise.all([
      this.risks.get(actor, id),
      this.risks.history(actor, id),
      this.reports.arisingFrom(actor, id),
    ]);
    const canUpdate = ability.can('update', 'Risk');
    const page = riskPage({
      risk,
      history,
      arisingFrom,
      scale: this.reports.scale(risk.register),
      canUpdate,
      evidenceTitles: await this.evidenceTitles(actor, risk),
      pickers: canUpdate ? await this.pickers(actor, ability) : null,
      form,
    });
    return { ...page, formKey: newFormKey() };
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

  /**
   * Adds one risk control (the API replaces the whole list on PATCH; the page appends to the one it showed).
   * Refused (a field, a stale version), the risk's page again with the form as typed and the risk as it is now.
   */
  @Post('risks/:id/controls')
  @Policy('update', 'Risk')
  async addControl(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Param() p: RiskParams,
    @Body() form: AddRiskControlFormDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.submit(
      { reply, actor, key, name: 'control', values: form },
      {
        run: async () => {
          const dto = await validated(UpdateRiskDto, addControlBody(form));
          const residual = { residualSeverity: dto.residualSeverity, residualProbability: dto.residualProbability };
          await this.risks.addControl(actor, p.id, dto.version!, dto.controls![0], residual);
          return `/risks/${p.id}`;
        },
        refused: async (state) => ['risk', await this.riskModel(actor, ability, p.id, state)],
      },
    );
  }
}
