import { Body, Controller, Get, Param, Post, Query, Render, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppAbility } from '../authz/ability.factory';
import { CurrentAbility, CurrentActor, Policy } from '../authz/policy.decorator';
import { CatalogService } from '../catalog/catalog.service';
import { AssignOwnerDto, ControlParams, ControlQueryDto, FrameworkParams } from '../catalog/dto/catalog.dto';
import type { UserActor } from '../authz/actor';
import { DepartmentsService } from '../identity/departments.service';
import { UsersService } from '../identity/users.service';
import { EvidenceQueriesService } from '../evidence/evidence-queries.service';
import { EvidenceUploadService } from '../evidence/evidence-upload.service';
import { declaredLength, uploadParts } from '../evidence/upload-parts';
import type {} from '@fastify/view'; // reply.view()
import { asSubject } from '../authz/subject';
import { type AppError, NotFoundError, type ValidationError } from '../common/errors/app-error';
import { SweepsService } from '../sweeps/sweeps.service';
import { viewUser } from './view-context.interceptor';
import {
  catalogPage,
  CONTROL_CSV_COLUMNS,
  controlPage,
  controlsPage,
  frameworkPage,
  type OwnerForm,
} from './catalog.page';
import { allRows, sendCsv } from './list-csv';
import { CorrectEvidenceParams } from './dto/evidence-forms.dto';
import { refusalStatus } from './form-refusal';
import { refusedForm, type FormState } from './incident-forms';
import { recordingFields, withFields } from './upload-form';

/** The correction form's text fields, kept when it is refused (the file has to be chosen again). */
const CORRECTION_FIELDS = ['title', 'description', 'evidenceDate', 'periodStart', 'periodEnd'] as const;

/** The catalog browser: framework → requirement → controls, and control → requirements across frameworks. */
@ApiExcludeController()
@Controller()
export class CatalogPagesController {
  constructor(
    private readonly catalog: CatalogService,
    private readonly departments: DepartmentsService,
    private readonly users: UsersService,
    private readonly evidence: EvidenceQueriesService,
    private readonly uploads: EvidenceUploadService,
    private readonly sweeps: SweepsService,
  ) {}

  @Get('catalog')
  @Policy('read', 'Framework')
  @Render('catalog')
  async frameworks() {
    const [frameworks, coverage] = await Promise.all([this.catalog.listFrameworks(), this.catalog.coverageAll()]);
    return catalogPage(frameworks, coverage);
  }

  @Get('catalog/:key')
  @Policy('read', 'Requirement')
  @Render('framework')
  async framework(@Param() p: FrameworkParams) {
    const framework =
      (await this.catalog.listFrameworks()).find((f) => f.key === p.key) ?? (await this.catalog.framework(p.key));
    const [requirements, coverage] = await Promise.all([
      this.catalog.requirements(p.key, { limit: 200 }),
      this.catalog.coverage(p.key),
    ]);
    return frameworkPage(framework, requirements.items, coverage);
  }

  @Get('controls')
  @Policy('read', 'Control')
  @Render('controls')
  async controls(@CurrentActor() actor: UserActor, @Query() query: ControlQueryDto) {
    const [list, frameworks, departments] = await Promise.all([
      this.catalog.listControls(actor, query),
      this.catalog.listFrameworks(),
      this.departments.list(),
    ]);
    return controlsPage({ query, list, frameworks, departments });
  }

  /** The filtered list, every page of it, as CSV. */
  @Get('controls/export.csv')
  @Policy('read', 'Control')
  async controlsCsv(@CurrentActor() actor: UserActor, @Query() query: ControlQueryDto, @Res() reply: FastifyReply) {
    const rows = await allRows((page) => this.catalog.listControls(actor, { ...query, ...page }));
    await sendCsv(reply, 'controls', CONTROL_CSV_COLUMNS, rows);
  }

  @Get('controls/:key')
  @Policy('read', 'Control')
  @Render('control')
  control(@CurrentActor() actor: UserActor, @CurrentAbility() ability: AppAbility, @Param() p: ControlParams) {
    return this.controlPage(actor, ability, p.key);
  }

  /**
   * The control page's model; `form` re-renders the owner form, `correction` an evidence item's correction
   * form, with what was submitted and why it was refused.
   */
  private async controlPage(
    actor: UserActor,
    ability: AppAbility,
    key: string,
    refused: { form?: OwnerForm; correction?: FormState<string> } = {},
  ) {
    const control = await this.catalog.getControl(actor, key);
    const canAssign = ability.can('update', 'Control');
    const everyone = canAssign ? (await this.users.list(actor, { active: true, limit: 200 })).items : [];
    // The newest evidence of this control, and the exceptions and attestations that stood in for it, for those who may read evidence.
    const readsEvidence = ability.can('read', 'Evidence');
    const [evidence, outcomes] = await Promise.all([
      readsEvidence ? this.evidence.list(actor, { control: key, current: true, limit: 20 }) : null,
      readsEvidence ? this.sweeps.controlOutcomes(actor, key) : [],
    ]);
    // Correcting is attaching evidence: the owner of the control (or its department's, as the ability says).
    const canCorrect = ability.can(
      'create',
      asSubject('Evidence', { ownerUserId: control.ownerUserId, ownerDepartment: control.ownerDepartment }),
    );
    return controlPage({ control, canAssign, everyone, evidence, outcomes, canCorrect, ...refused });
  }

  /** Assigns the accountable person; a refused choice re-renders the page with the choice and the reason (400/422). */
  @Post('controls/:key/owner')
  @Policy('update', 'Control')
  async assignOwner(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Param() p: ControlParams,
    @Body() dto: AssignOwnerDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    try {
      await this.catalog.assignOwner(actor, p.key, dto);
    } catch (e) {
      const status = refusalStatus(e);
      if (status === null) throw e;
      await reply.status(status).view('control', {
        ...(await this.controlPage(actor, ability, p.key, { form: { userId: dto.userId, problem: e as AppError } })),
        me: viewUser(actor, reply.request.url),
      });
      return;
    }
    await reply.redirect(`/controls/${p.key}?done=owner.assigned`, 303);
  }

  /**
   * Corrects an evidence item of this control: uploads a new item that supersedes it, for the same controls.
   * 303 back to the control; a refusal shows the page again with the correction form as typed (400/409/422).
   */
  @Post('controls/:key/evidence/:id/correct')
  @Policy('create', 'Evidence')
  async correctEvidence(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Param() p: CorrectEvidenceParams,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const old = await this.evidence.get(actor, p.id);
    if (!old.controls.includes(p.key)) throw new NotFoundError('evidence', p.id);
    const typed: Record<string, string> = {};
    try {
      await this.uploads.upload(
        actor,
        withFields(recordingFields(uploadParts(request), CORRECTION_FIELDS, typed), {
          controls: old.controls.join(','),
          supersedes: old.id,
        }),
        declaredLength(request),
      );
    } catch (e) {
      const status = refusalStatus(e);
      if (status === null) throw e;
      const correction = refusedForm(old.id, typed, e as ValidationError);
      await reply.status(status).view('control', {
        ...(await this.controlPage(actor, ability, p.key, { correction })),
        me: viewUser(actor, reply.request.url),
      });
      return;
    }
    await reply.redirect(`/controls/${p.key}?done=evidence.corrected#evidence`, 303);
  }
}
