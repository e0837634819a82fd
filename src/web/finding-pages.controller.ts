import { Body, Controller, Get, Param, Post, Query, Render, Res, UseInterceptors } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type {} from '@fastify/view'; // reply.view()
import type { AppAbility } from '../authz/ability.factory';
import type { UserActor } from '../authz/actor';
import { CurrentAbility, CurrentActor, Policy } from '../authz/policy.decorator';
import { asSubject } from '../authz/subject';
import { ForbiddenError, type ValidationError } from '../common/errors/app-error';
import {
  AcceptFindingDto,
  FindingParams,
  FindingQueryDto,
  FixFindingDto,
  RetestFindingDto,
} from '../findings/dto/finding.dto';
import { FindingAcceptancesService } from '../findings/finding-acceptances.service';
import { FindingsService } from '../findings/findings.service';
import { AcceptFindingFormDto, FixFindingFormDto, RetestFindingFormDto } from './dto/finding-forms.dto';
import { FINDING_CSV_COLUMNS, findingListPage, findingPage, type FindingFormState } from './finding.page';
import { allRows, sendCsv } from './list-csv';
import { FormIdempotency, FormKey, FormKeyInterceptor, newFormKey } from './form-idempotency';
import { refusalStatus } from './form-refusal';
import { formField, validated } from './incident-forms';
import { viewUser } from './view-context.interceptor';

/**
 * The findings pages (issue 18): the register with SLA state and due date (compliance time zone), and one
 * finding with its fix, retest and risk-acceptance forms (the acceptance signed with the password again).
 * Forms run once per key and answer 303; a refused one is shown again with its input (never the password)
 * and the problem next to the field.
 */
@ApiExcludeController()
@Controller('findings')
@UseInterceptors(FormKeyInterceptor)
export class FindingPagesController {
  constructor(
    private readonly findings: FindingsService,
    private readonly acceptances: FindingAcceptancesService,
    private readonly forms: FormIdempotency,
  ) {}

  @Get()
  @Policy('read', 'Finding')
  @Render('findings')
  async list(@CurrentActor() actor: UserActor, @Query() query: FindingQueryDto) {
    const page = await this.findings.list(actor, { ...query, limit: query.limit ?? 100 });
    return findingListPage({ items: page.items, total: page.total, query });
  }

  /** The filtered register, every page of it, as CSV. */
  @Get('export.csv')
  @Policy('read', 'Finding')
  async listCsv(@CurrentActor() actor: UserActor, @Query() query: FindingQueryDto, @Res() reply: FastifyReply) {
    const rows = await allRows((page) => this.findings.list(actor, { ...query, ...page }));
    await sendCsv(reply, 'findings', FINDING_CSV_COLUMNS, rows);
  }

  @Get(':id')
  @Policy('read', 'Finding')
  @Render('finding')
  finding(@CurrentActor() actor: UserActor, @CurrentAbility() ability: AppAbility, @Param() p: FindingParams) {
    return this.page(actor, ability, p.id, null);
  }

  @Post(':id/fix')
  @Policy('update', 'Finding')
  async fix(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Param() p: FindingParams,
    @Body() form: FixFindingFormDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.submit({ reply, actor, ability, key, id: p.id, name: 'fix', values: form }, async () => {
      const dto = await validated(FixFindingDto, { evidenceId: form.evidenceId ?? '', note: form.note || undefined });
      await this.findings.fix(actor, p.id, dto);
    });
  }

  @Post(':id/retest')
  @Policy('update', 'Finding')
  async retest(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Param() p: FindingParams,
    @Body() form: RetestFindingFormDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.submit({ reply, actor, ability, key, id: p.id, name: 'retest', values: form }, async () => {
      await this.findings.retest(actor, p.id, await validated(RetestFindingDto, { result: form.result ?? '' }));
    });
  }

  @Post(':id/acceptance')
  @Policy('create', 'FindingAcceptance')
  async accept(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Param() p: FindingParams,
    @Body() form: AcceptFindingFormDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.submit({ reply, actor, ability, key, id: p.id, name: 'acceptance', values: form }, async () => {
      const dto = await validated(AcceptFindingDto, {
        reason: form.reason ?? '',
        expiresOn: form.expiresOn ?? '',
        password: form.password ?? '',
      });
      await this.acceptances.accept(actor, p.id, dto);
    });
  }

  private async submit(
    s: {
      reply: FastifyReply;
      actor: UserActor;
      ability: AppAbility;
      key: string | null;
      id: string;
      name: FindingFormState['form'];
      values: object;
    },
    run: () => Promise<void>,
  ): Promise<void> {
    const base = `/findings/${s.id}`;
    try {
      const outcome = await this.forms.once(s.actor.id, s.key, `finding-${s.name}:${s.id}`, async () => {
        await run();
        return { location: `${base}#${s.name}` };
      });
      await s.reply.redirect(outcome.location, 303);
    } catch (e) {
      const status = e instanceof ForbiddenError ? 403 : refusalStatus(e);
      if (status === null) throw e;
      const problem = e as ValidationError;
      const errors: Record<string, string> = {};
      for (const f of problem.errors ?? []) errors[formField(f.field)] = f.message;
      if (e instanceof ForbiddenError && e.code === 'finding.wrong_password') errors.password = e.message;
      const values: Record<string, unknown> = { ...s.values };
      delete values.password;
      const form: FindingFormState = { form: s.name, values, errors, detail: problem.message };
      const model = await this.page(s.actor, s.ability, s.id, form);
      await s.reply.status(status).view('finding', { ...model, me: viewUser(s.actor, s.reply.request.url) });
    }
  }

  private async page(actor: UserActor, ability: AppAbility, id: string, form: FindingFormState | null) {
    const finding = await this.findings.get(actor, id);
    return findingPage({
      finding,
      canUpdate: ability.can('update', asSubject('Finding', { department: finding.department })),
      canAccept: ability.can('create', 'FindingAcceptance'),
      form,
      formKey: newFormKey(),
    });
  }
}
