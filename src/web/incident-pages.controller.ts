import { Body, Controller, Get, Param, Post, Query, Render, Res, UseInterceptors } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type {} from '@fastify/view'; // reply.view()
import type { AppAbility } from '../authz/ability.factory';
import { CurrentAbility, CurrentActor, Policy } from '../authz/policy.decorator';
import type { UserActor } from '../authz/actor';
import type { ValidationError } from '../common/errors/app-error';
import { UsersService } from '../identity/users.service';
import {
  BreachAssessmentDto,
  CapaParams,
  CreateCapaDto,
  IncidentParams,
  NoticeDto,
  ReportIncidentDto,
  ReviewDto,
  TimelineEntryDto,
  UpdateCapaDto,
  UpdateIncidentDto,
} from '../incidents/dto/incident.dto';
import { IncidentCapasService } from '../incidents/incident-capas.service';
import { IncidentChangesService } from '../incidents/incident-changes.service';
import { IncidentNoticesService } from '../incidents/incident-notices.service';
import { IncidentPolicyService } from '../incidents/incident-policy.service';
import { IncidentsService } from '../incidents/incidents.service';
import { EvidenceQueriesService } from '../evidence/evidence-queries.service';
import {
  BreachAssessmentFormDto,
  CapaFormDto,
  ChangeIncidentFormDto,
  CloseCapaFormDto,
  IncidentFactsFormDto,
  IncidentPageQueryDto,
  NoticeFormDto,
  ReportIncidentFormDto,
  ReviewFormDto,
  TimelineFormDto,
} from './dto/incident-forms.dto';
import { FormIdempotency, FormKey, FormKeyInterceptor, newFormKey } from './form-idempotency';
import { allRows, sendCsv } from './list-csv';
import { INCIDENT_CSV_COLUMNS, incidentFilter } from './incident-csv';
import {
  assessmentBody,
  changeBody,
  closeCapaBody,
  factsBody,
  noticeBody,
  refusedForm,
  reportBody,
  timelineBody,
  validated,
  type FormState,
  type IncidentFormName,
} from './incident-forms';
import { CreateRiskDto } from '../risks/dto/risk.dto';
import { RiskReportsService } from '../risks/risk-reports.service';
import {
  incidentPage,
  incidentPermissions,
  incidentRegisterPage,
  newIncidentPage,
  riskRegisterOf,
} from './incident.page';
import { createRiskBody } from './risk.page';
import { CreateRiskFormDto } from './dto/risk-forms.dto';
import { refusalStatus } from './form-refusal';
import { viewUser } from './view-context.interceptor';

/**
 * The incident register's pages: the register with every clock, the report form, and an incident with its
 * forms. Each form calls one incident service once per idempotency key (the page's hidden `formKey`) and
 * answers 303 (post/redirect/get); a refused form is shown again with what was typed and the problems
 * next to their fields (400/409/422), as the API words them.
 */
@ApiExcludeController()
@Controller('incidents')
@UseInterceptors(FormKeyInterceptor)
export class IncidentPagesController {
  constructor(
    private readonly incidents: IncidentsService,
    private readonly changes: IncidentChangesService,
    private readonly notices: IncidentNoticesService,
    private readonly capas: IncidentCapasService,
    private readonly policies: IncidentPolicyService,
    private readonly users: UsersService,
    private readonly forms: FormIdempotency,
    private readonly riskReports: RiskReportsService,
    private readonly evidence: EvidenceQueriesService,
  ) {}

  @Get()
  @Policy('read', 'Incident')
  @Render('incidents')
  async register(@CurrentActor() actor: UserActor, @Query() query: IncidentPageQueryDto) {
    const list = await this.incidents.list(actor, {
      ...incidentFilter(query),
      offset: query.offset,
      limit: query.limit,
    });
    return incidentRegisterPage({ query, list, policy: this.policies.policy() });
  }

  /** The filtered register, every page of it, as CSV. */
  @Get('export.csv')
  @Policy('read', 'Incident')
  async registerCsv(
    @CurrentActor() actor: UserActor,
    @Query() query: IncidentPageQueryDto,
    @Res() reply: FastifyReply,
  ) {
    const rows = await allRows((page) => this.incidents.list(actor, { ...incidentFilter(query), ...page }));
    await sendCsv(reply, 'incidents', INCIDENT_CSV_COLUMNS, rows);
  }

  @Get('new')
  @Policy('create', 'Incident')
  @Render('incident-new')
  newForm() {
    return this.newPage(null);
  }

  @Post()
  @Policy('create', 'Incident')
  async report(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Body() form: ReportIncidentFormDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.submit({ reply, actor, ability, key, name: 'report', id: null, values: form }, async () => {
      const dto = await validated(ReportIncidentDto, reportBody(form));
      const { incident } = await this.incidents.report(actor, dto, 'form');
      return `/incidents/${incident.id}`;
    });
  }

  @Get(':id')
  @Policy('read', 'Incident')
  @Render('incident')
  incident(@CurrentActor() actor: UserActor, @CurrentAbility() ability: AppAbility, @Param() p: IncidentParams) {
    return this.incidentPage(actor, ability, p.id, null);
  }

  @Post(':id/change')
  @Policy('update', 'Incident')
  async change(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Param() p: IncidentParams,
    @Body() form: ChangeIncidentFormDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.submit({ reply, actor, ability, key, name: 'change', id: p.id, values: form }, async () => {
      const current = await this.incidents.get(actor, p.id);
      const dto = await validated(UpdateIncidentDto, changeBody(form, current));
      await this.changes.update(actor, p.id, dto);
      return `/incidents/${p.id}`;
    });
  }

  @Post(':id/facts')
  @Policy('update', 'Incident')
  async facts(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Param() p: IncidentParams,
    @Body() form: IncidentFactsFormDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.submit({ reply, actor, ability, key, name: 'facts', id: p.id, values: form }, async () => {
      const current = await this.incidents.get(actor, p.id);
      const dto = await validated(UpdateIncidentDto, factsBody(form, current));
      await this.changes.update(actor, p.id, dto);
      return `/incidents/${p.id}#facts`;
    });
  }

  @Post(':id/timeline')
  @Policy('update', 'Incident')
  async timeline(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Param() p: IncidentParams,
    @Body() form: TimelineFormDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.submit({ reply, actor, ability, key, name: 'timeline', id: p.id, values: form }, async () => {
      await this.changes.addTimeline(actor, p.id, await validated(TimelineEntryDto, timelineBody(form)));
      return `/incidents/${p.id}#timeline`;
    });
  }

  @Post(':id/assessment')
  @Policy('create', 'BreachAssessment')
  async assess(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Param() p: IncidentParams,
    @Body() form: BreachAssessmentFormDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.submit({ reply, actor, ability, key, name: 'assessment', id: p.id, values: form }, async () => {
      await this.notices.assessBreach(actor, p.id, await validated(BreachAssessmentDto, assessmentBody(form)));
      return `/incidents/${p.id}#assessment`;
    });
  }

  @Post(':id/notices')
  @Policy('create', 'IncidentNotice')
  async notice(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Param() p: IncidentParams,
    @Body() form: NoticeFormDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.submit({ reply, actor, ability, key, name: 'notice', id: p.id, values: form }, async () => {
      await this.notices.recordNotice(actor, p.id, await validated(NoticeDto, noticeBody(form)));
      return `/incidents/${p.id}#notices`;
    });
  }

  @Post(':id/capas')
  @Policy('update', 'Incident')
  async addCapa(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Param() p: IncidentParams,
    @Body() form: CapaFormDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.submit({ reply, actor, ability, key, name: 'capa', id: p.id, values: form }, async () => {
      const body = { title: form.title ?? '', ownerUserId: form.ownerUserId ?? '', dueOn: form.dueOn ?? '' };
      await this.capas.add(actor, p.id, await validated(CreateCapaDto, body));
      return `/incidents/${p.id}#capas`;
    });
  }

  @Post(':id/capas/:capaId/close')
  @Policy('update', 'IncidentCapa')
  async closeCapa(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Param() p: CapaParams,
    @Body() form: CloseCapaFormDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const name = `capa-close:${p.capaId}` as const;
    await this.submit({ reply, actor, ability, key, name, id: p.id, values: form }, async () => {
      await this.capas.update(actor, p.id, p.capaId, await validated(UpdateCapaDto, closeCapaBody(form)));
      return `/incidents/${p.id}#capas`;
    });
  }

  @Post(':id/review')
  @Policy('update', 'Incident')
  async review(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Param() p: IncidentParams,
    @Body() form: ReviewFormDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.submit({ reply, actor, ability, key, name: 'review', id: p.id, values: form }, async () => {
      const body = { cause: form.cause ?? '', wentWell: form.wentWell ?? '', toChange: form.toChange ?? '' };
      await this.changes.review(actor, p.id, await validated(ReviewDto, body));
      return `/incidents/${p.id}#review`;
    });
  }

  @Post(':id/risks')
  @Policy('update', 'Incident')
  async raiseRisk(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Param() p: IncidentParams,
    @Body() form: CreateRiskFormDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.submit({ reply, actor, ability, key, name: 'risk', id: p.id, values: form }, async () => {
      const register = riskRegisterOf(await this.incidents.get(actor, p.id));
      await this.changes.raiseRisk(actor, p.id, await validated(CreateRiskDto, createRiskBody(form, register)));
      return `/incidents/${p.id}#risks`;
    });
  }

  /**
   * Runs the form once per key and answers 303 to where it leads; a refused form (400, 409, 422) is shown
   * again on its page with what was typed and why.
   */
  private async submit(
    s: {
      reply: FastifyReply;
      actor: UserActor;
      ability: AppAbility;
      key: string | null;
      name: IncidentFormName;
      /** The incident; null for the report form. */
      id: string | null;
      values: object;
    },
    run: () => Promise<string>,
  ): Promise<void> {
    try {
      const scope = `incident-${s.name}:${s.id ?? 'new'}`;
      const outcome = await this.forms.once(s.actor.id, s.key, scope, async () => ({ location: await run() }));
      await s.reply.redirect(outcome.location, 303);
    } catch (e) {
      const status = refusalStatus(e);
      if (status === null) throw e;
      const form = refusedForm(s.name, s.values, e as ValidationError);
      const [view, model] = s.id
        ? ['incident', await this.incidentPage(s.actor, s.ability, s.id, form)]
        : ['incident-new', this.newPage(form)];
      await s.reply.status(status).view(view, { ...model, me: viewUser(s.actor, s.reply.request.url) });
    }
  }

  private newPage(form: FormState | null) {
    return newIncidentPage({ policy: this.policies.policy(), now: new Date(), form, formKey: newFormKey() });
  }

  private async incidentPage(actor: UserActor, ability: AppAbility, id: string, form: FormState | null) {
    const incident = await this.incidents.get(actor, id);
    const can = incidentPermissions(ability, incident, actor.id);
    // Names for the selects and for who did what (never for auditors: the view carries no identities then).
    const named = incident.reporter !== undefined && ability.can('read', 'User');
    const people = named ? (await this.users.list(actor, { active: true, limit: 200 })).items : [];
    const closesCapa = incident.capas.some((c) => c.status === 'open' && can.closeCapa(c.owner?.id ?? null));
    const evidence =
      closesCapa && ability.can('read', 'Evidence')
        ? (await this.evidence.list(actor, { current: true, limit: 200, offset: 0 })).items
        : [];
    return incidentPage({
      evidence,
      incident,
      policy: this.policies.policy(),
      can,
      people: people.map((u) => ({ id: u.id, name: u.name })),
      riskScale: can.raiseRisk ? this.riskReports.scale(can.raiseRisk) : null,
      form,
      formKey: newFormKey(),
      now: new Date(),
    });
  }
}
