import { demoPerson } from '../dsr/demo-platform/demo-platform.sql';
import { Body, Controller, Get, Inject, Param, Post, Query, Render, Res, UseInterceptors } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AppAbility } from '../authz/ability.factory';
import { CurrentAbility, CurrentActor, Policy } from '../authz/policy.decorator';
import { PageQueryDto } from '../common/http/pagination';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { DataSystemsService } from '../dsr/data-systems.service';
import { DrillsService } from '../dsr/drills.service';
import { DsrErasureService } from '../dsr/dsr-erasure.service';
import { DsrExportService } from '../dsr/dsr-export.service';
import { DsrHoldsService } from '../dsr/dsr-holds.service';
import { DsrRequestsService } from '../dsr/dsr-requests.service';
import { DsrTasksService } from '../dsr/dsr-tasks.service';
import { DsrUpdatesService } from '../dsr/dsr-updates.service';
import {
  CompleteDsrDto,
  HoldParams,
  LegalHoldDto,
  RejectDsrDto,
  RequestParams,
  TaskQueryDto,
  VerifyIdentityDto,
  type DsrRequestView,
  type ExportLinkView,
} from '../dsr/dto/dsr.dto';
import type { UserActor } from '../authz/actor';
import {
  CompleteTaskFormDto,
  DsrPageQueryDto,
  EraseFormDto,
  ImportSystemsFormDto,
  NewDsrFormDto,
  parseChanges,
  RequestPageQueryDto,
} from './dto/dsr-forms.dto';
import { FormIdempotency, FormKey, FormKeyInterceptor, newFormKey, type FormOutcome } from './form-idempotency';
import { dsrDrillsPage, dsrQueuePage, dsrSystemsPage, dsrTasksPage } from './dsr-lists.page';
import { dsrRequestPage } from './dsr-request.page';

/**
 * The privacy officer's DSR pages: the queue with both clocks, a request's page (verify, export and
 * download, erase, holds, execute, reject, complete, receipt), the data map, drills, and manual tasks.
 * Post/redirect/get everywhere: each form calls one method of a DSR service (requests, updates, export, erasure,
 * holds, tasks), DataSystemsService or DrillsService once per idempotency key (the page's hidden `formKey`; a
 * repeat gets the first answer) and answers 303.
 * The export's one-time download link travels sealed (encrypted for this user) with the submission and
 * is shown by the request's GET page (`?result=<key>`), so reloading it shows the link and runs nothing.
 */
@ApiExcludeController()
@Controller('dsr')
@UseInterceptors(FormKeyInterceptor)
export class DsrPagesController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly requests: DsrRequestsService,
    private readonly updates: DsrUpdatesService,
    private readonly exports: DsrExportService,
    private readonly erasure: DsrErasureService,
    private readonly holds: DsrHoldsService,
    private readonly dsrTasks: DsrTasksService,
    private readonly systems: DataSystemsService,
    private readonly drills: DrillsService,
    private readonly forms: FormIdempotency,
  ) {}

  /** Runs a form's action once per key and redirects (303) to where it leads. */
  private async submit(
    reply: FastifyReply,
    actor: UserActor,
    key: string | null,
    form: string,
    run: () => Promise<FormOutcome>,
  ): Promise<void> {
    const outcome = await this.forms.once(actor.id, key, form, run);
    await reply.redirect(outcome.location, 303);
  }

  // ---- the queue ---------------------------------------------------------------------------------

  @Get()
  @Policy('read', 'DsrRequest')
  @Render('dsr')
  async queue(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Query() query: DsrPageQueryDto,
  ) {
    return dsrQueuePage({
      query,
      list: await this.requests.list(actor, query),
      showIdentity: ability.can('read', 'DsrRequest', 'subject'),
      canCreate: ability.can('create', 'DsrRequest'),
      formKey: newFormKey(),
      demoSubject: this.config.dsrDemoPlatform ? demoPerson(1) : null,
    });
  }

  @Post()
  @Policy('create', 'DsrRequest')
  async create(
    @CurrentActor() actor: UserActor,
    @Body() form: NewDsrFormDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.submit(reply, actor, key, 'dsr-create', async () => {
      const created = await this.requests.create(actor, {
        right: form.right,
        ground: groundOf(form),
        channel: form.channel,
        receivedAt: form.receivedAt,
        subject: {
          name: form.subjectName,
          email: form.subjectEmail,
          phone: form.subjectPhone,
          nationalId: form.subjectNationalId,
        },
        requester: form.requesterName
          ? { name: form.requesterName, contact: form.requesterContact!, relationship: form.requesterRelationship! }
          : undefined,
        changes: parseChanges(form.changes),
      });
      return { location: `/dsr/${created.id}` };
    });
  }

  // ---- data systems, drills, tasks (before :id) ------------------------------------------------------

  @Get('systems')
  @Policy('read', 'DataSystem')
  @Render('dsr-systems')
  async systemsPage(@CurrentActor() actor: UserActor, @CurrentAbility() ability: AppAbility) {
    return dsrSystemsPage(await this.systems.list(), ability.can('create', 'DataSystem'), newFormKey());
  }

  @Post('systems/import')
  @Policy('create', 'DataSystem')
  async importSystems(
    @CurrentActor() actor: UserActor,
    @Body() form: ImportSystemsFormDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.submit(reply, actor, key, 'dsr-systems-import', async () => {
      await this.systems.importYaml(actor, form.yaml);
      return { location: '/dsr/systems' };
    });
  }

  @Get('drills')
  @Policy('read', 'DsrDrill')
  @Render('dsr-drills')
  async drillsPage(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Query() query: PageQueryDto,
  ) {
    return dsrDrillsPage(await this.drills.listFor(actor, query), ability.can('create', 'DsrDrill'), newFormKey());
  }

  @Post('drills')
  @Policy('create', 'DsrDrill')
  async runDrill(
    @CurrentActor() actor: UserActor,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.submit(reply, actor, key, 'dsr-drill', async () => {
      const report = await this.drills.run(actor, 'page');
      return { location: `/dsr/drills#drill-${report.id}` };
    });
  }

  @Get('tasks')
  @Policy('read', 'DsrTask')
  @Render('dsr-tasks')
  async tasksPage(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Query() query: TaskQueryDto,
  ) {
    const open = query.open ?? true;
    return dsrTasksPage({
      open,
      list: await this.dsrTasks.listTasks(actor, { ...query, open }),
      canOpenRequests: ability.can('read', 'DsrRequest'),
      formKey: newFormKey(),
    });
  }

  @Post('tasks/:id/complete')
  @Policy('update', 'DsrTask')
  async completeTask(
    @CurrentActor() actor: UserActor,
    @Param() p: RequestParams,
    @Body() form: CompleteTaskFormDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const done = new Set(form.done ?? []);
    await this.submit(reply, actor, key, `dsr-task-complete:${p.id}`, async () => {
      await this.dsrTasks.completeTask(actor, p.id, {
        note: form.note,
        checklist: Array.from({ length: form.items }, (_, i) => done.has(i)),
      });
      return { location: '/dsr/tasks' };
    });
  }

  // ---- a request ---------------------------------------------------------------------------------

  @Get(':id')
  @Policy('read', 'DsrRequest')
  @Render('dsr-request')
  async request(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Param() p: RequestParams,
    @Query() query: RequestPageQueryDto,
  ) {
    const request = await this.requests.get(actor, p.id);
    // The one-time result of an export form, sealed for this user with the submission (nothing runs again).
    const outcome = query.result
      ? await this.forms.outcome(actor.id, query.result, [`dsr-export:${p.id}`, `dsr-export-link:${p.id}`])
      : null;
    const sealed = typeof outcome?.flash?.link === 'string' ? outcome.flash.link : null;
    return this.requestPage(
      actor,
      ability,
      request,
      sealed ? this.exports.openSealedLink(actor, sealed) : null,
      outcome !== null,
    );
  }

  @Post(':id/verify')
  @Policy('update', 'DsrRequest')
  async verify(
    @CurrentActor() actor: UserActor,
    @Param() p: RequestParams,
    @Body() form: VerifyIdentityDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.submit(reply, actor, key, `dsr-verify:${p.id}`, async () => {
      await this.requests.verifyIdentity(actor, p.id, form);
      return { location: `/dsr/${p.id}` };
    });
  }

  /** Exports (or resumes the export) once per key; the request's page then shows the download link. */
  @Post(':id/export')
  @Policy('update', 'DsrRequest')
  async export(
    @CurrentActor() actor: UserActor,
    @Param() p: RequestParams,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const resultKey = key ?? newFormKey();
    await this.submit(reply, actor, resultKey, `dsr-export:${p.id}`, async () => {
      const { link } = await this.exports.export(actor, p.id);
      return {
        location: `/dsr/${p.id}?result=${resultKey}`,
        flash: link ? { link: this.exports.sealLink(actor, link) } : null,
      };
    });
  }

  @Post(':id/export-link')
  @Policy('update', 'DsrRequest')
  async exportLink(
    @CurrentActor() actor: UserActor,
    @Param() p: RequestParams,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const resultKey = key ?? newFormKey();
    await this.submit(reply, actor, resultKey, `dsr-export-link:${p.id}`, async () => {
      const link = await this.exports.newExportLink(actor, p.id);
      return { location: `/dsr/${p.id}?result=${resultKey}`, flash: { link: this.exports.sealLink(actor, link) } };
    });
  }

  @Post(':id/erase')
  @Policy('update', 'DsrRequest')
  async erase(
    @CurrentActor() actor: UserActor,
    @Param() p: RequestParams,
    @Body() form: EraseFormDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.submit(reply, actor, key, `dsr-erase:${p.id}`, async () => {
      await this.erasure.scheduleErasure(actor, p.id, { graceDays: form.graceDays });
      return { location: `/dsr/${p.id}` };
    });
  }

  @Post(':id/erase/cancel')
  @Policy('update', 'DsrRequest')
  async cancelErasure(
    @CurrentActor() actor: UserActor,
    @Param() p: RequestParams,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.submit(reply, actor, key, `dsr-cancelErasure:${p.id}`, async () => {
      await this.erasure.cancelErasure(actor, p.id);
      return { location: `/dsr/${p.id}` };
    });
  }

  @Post(':id/erase/resume')
  @Policy('update', 'DsrRequest')
  async resumeErasure(
    @CurrentActor() actor: UserActor,
    @Param() p: RequestParams,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.submit(reply, actor, key, `dsr-resumeErasure:${p.id}`, async () => {
      await this.erasure.resumeErasure(actor, p.id);
      return { location: `/dsr/${p.id}` };
    });
  }

  @Post(':id/execute')
  @Policy('update', 'DsrRequest')
  async execute(
    @CurrentActor() actor: UserActor,
    @Param() p: RequestParams,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.submit(reply, actor, key, `dsr-execute:${p.id}`, async () => {
      await this.updates.execute(actor, p.id);
      return { location: `/dsr/${p.id}` };
    });
  }

  @Post(':id/reject')
  @Policy('update', 'DsrRequest')
  async reject(
    @CurrentActor() actor: UserActor,
    @Param() p: RequestParams,
    @Body() form: RejectDsrDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.submit(reply, actor, key, `dsr-reject:${p.id}`, async () => {
      await this.requests.reject(actor, p.id, form);
      return { location: `/dsr/${p.id}` };
    });
  }

  @Post(':id/complete')
  @Policy('update', 'DsrRequest')
  async complete(
    @CurrentActor() actor: UserActor,
    @Param() p: RequestParams,
    @Body() form: CompleteDsrDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.submit(reply, actor, key, `dsr-complete:${p.id}`, async () => {
      await this.requests.complete(actor, p.id, form);
      return { location: `/dsr/${p.id}` };
    });
  }

  @Post(':id/holds')
  @Policy('update', 'DsrRequest')
  async hold(
    @CurrentActor() actor: UserActor,
    @Param() p: RequestParams,
    @Body() form: LegalHoldDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.submit(reply, actor, key, `dsr-hold:${p.id}`, async () => {
      await this.holds.placeHold(actor, p.id, form);
      return { location: `/dsr/${p.id}` };
    });
  }

  @Post(':id/holds/:holdId/release')
  @Policy('update', 'DsrRequest')
  async release(
    @CurrentActor() actor: UserActor,
    @Param() p: HoldParams,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.submit(reply, actor, key, `dsr-release:${p.holdId}`, async () => {
      await this.holds.releaseHold(actor, p.id, p.holdId);
      return { location: `/dsr/${p.id}` };
    });
  }

  private requestPage(
    actor: UserActor,
    ability: AppAbility,
    r: DsrRequestView,
    link: ExportLinkView | null,
    shownResult = false,
  ) {
    return dsrRequestPage({
      request: r,
      link,
      shownResult,
      canUpdate: ability.can('update', 'DsrRequest'),
      graceDays: this.config.dsrErasureGraceDays,
      backupRetentionDays: this.config.dsrBackupRetentionDays,
      formKey: newFormKey(),
      now: new Date(),
    });
  }
}

/** The form's ground: one field per right (a select for objection, another for erasure); only the right's one counts. */
function groundOf(form: NewDsrFormDto): string | undefined {
  if (form.right === 'objection') return form.objectionGround;
  if (form.right === 'erasure') return form.erasureGround;
  return undefined;
}
