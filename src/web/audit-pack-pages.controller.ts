import { Body, Controller, Get, Param, Post, Query, Render, Res, UseInterceptors } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type {} from '@fastify/view'; // reply.view()
import { RequestPackDto, type PackView } from '../audit-packs/dto/pack.dto';
import { PacksService } from '../audit-packs/packs.service';
import type { AppAbility } from '../authz/ability.factory';
import { CurrentAbility, CurrentActor, Policy } from '../authz/policy.decorator';
import type { UserActor } from '../authz/actor';
import { CatalogService } from '../catalog/catalog.service';
import { ForbiddenError, type ValidationError } from '../common/errors/app-error';
import { dayOf } from '../common/time/days';
import { EngagementsService } from '../engagements/engagements.service';
import { UsersService } from '../identity/users.service';
import { PackFormDto, PackListQueryDto, PackPageParams } from './dto/audit-forms.dto';
import {
  auditPackPage,
  auditPacksPage,
  packCsv,
  PACKS_PAGE,
  refusedPackForm,
  userIdOfRef,
  type PackFormState,
} from './audit-pack.page';
import { FormIdempotency, FormKey, FormKeyInterceptor, newFormKey } from './form-idempotency';
import { refusalStatus } from './form-refusal';
import { validated } from './incident-forms';
import { allRows, sendCsv } from './list-csv';
import { viewUser } from './view-context.interceptor';

/**
 * The audit packs' pages: the list of packs the person may read (an auditor: those inside their
 * engagements; a compliance manager: all) with the form that asks for one, and a pack's page (progress
 * while it builds, downloads when done). Everything goes through PacksService and its authorization. The
 * request form runs once per idempotency key and answers 303; a refused form (400/409/422, and 403 for a
 * scope outside the auditor's engagements) is shown again
 * on the list with what was typed and the problems next to their fields.
 */
@ApiExcludeController()
@Controller('audit/packs')
@UseInterceptors(FormKeyInterceptor)
export class AuditPackPagesController {
  constructor(
    private readonly packs: PacksService,
    private readonly engagements: EngagementsService,
    private readonly catalog: CatalogService,
    private readonly users: UsersService,
    private readonly forms: FormIdempotency,
  ) {}

  @Get()
  @Policy('read', 'AuditPack')
  @Render('audit-packs')
  list(@CurrentActor() actor: UserActor, @CurrentAbility() ability: AppAbility, @Query() query: PackListQueryDto) {
    return this.listPage(actor, ability, query.offset ?? 0, null);
  }

  /** Every pack the person may read, as CSV. */
  @Get('export.csv')
  @Policy('read', 'AuditPack')
  async listCsv(@CurrentActor() actor: UserActor, @Res() reply: FastifyReply) {
    const [packs, engagements] = await Promise.all([
      allRows((page) => this.packs.list(actor, page)),
      allRows((page) => this.engagements.list(actor, page)),
    ]);
    const csv = packCsv(packs, await this.names(packs), engagements);
    await sendCsv(reply, 'audit-packs', csv.columns, csv.rows);
  }

  @Post()
  @Policy('create', 'AuditPack')
  async request(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Body() form: PackFormDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    try {
      const outcome = await this.forms.once(actor.id, key, 'audit-pack-request', async () => {
        const dto = await validated(RequestPackDto, {
          framework: form.framework ?? '',
          from: form.from ?? '',
          to: form.to ?? '',
          engagementId: form.engagementId || undefined,
        });
        const { id } = await this.packs.request(actor, dto);
        return { location: `/audit/packs/${id}` };
      });
      await reply.redirect(outcome.location, 303);
    } catch (e) {
      // A scope outside the auditor's engagements (pack.forbidden) is this form's refusal too: shown by it.
      const outOfScope = e instanceof ForbiddenError && e.code === 'pack.forbidden';
      const status = outOfScope ? 403 : refusalStatus(e);
      if (status === null) throw e;
      const state = outOfScope
        ? refusedPackForm(form, {
            message: 'This framework and period are not inside an engagement of yours: choose a period within it.',
            errors: [],
          })
        : refusedPackForm(form, e as ValidationError);
      const model = await this.listPage(actor, ability, 0, state);
      await reply.status(status).view('audit-packs', { ...model, me: viewUser(actor, reply.request.url) });
    }
  }

  @Get(':id')
  @Policy('read', 'AuditPack')
  @Render('audit-pack')
  async pack(@CurrentActor() actor: UserActor, @Param() p: PackPageParams) {
    return auditPackPage(await this.packs.get(actor, p.id));
  }

  private async listPage(actor: UserActor, ability: AppAbility, offset: number, form: PackFormState | null) {
    const [list, engagements] = await Promise.all([
      this.packs.list(actor, { limit: PACKS_PAGE, offset }),
      this.engagements.list(actor, { limit: 200 }),
    ]);
    const auditor = actor.role === 'auditor';
    let frameworks: { key: string; name: string }[] | null = null;
    if (ability.can('create', 'AuditPack')) {
      const all = (await this.catalog.listFrameworks()).map((f) => ({ key: f.key, name: f.name }));
      // An auditor asks within an engagement: only its frameworks are offered.
      const inScope = new Set(engagements.items.filter((e) => e.state === 'active').flatMap((e) => e.frameworks));
      frameworks = auditor ? all.filter((f) => inScope.has(f.key)) : all;
    }
    const names = await this.names(list.items);
    return auditPacksPage({
      list,
      names,
      engagements: engagements.items,
      frameworks,
      engagementRequired: auditor,
      form,
      formKey: newFormKey(),
      today: dayOf(new Date()),
    });
  }

  /** The requesters' names, by user id. */
  private names(packs: PackView[]): Promise<Map<string, string>> {
    return this.users.namesByIds(
      packs.map((p) => userIdOfRef(p.requestedBy)).filter((id): id is string => id !== null),
    );
  }
}
